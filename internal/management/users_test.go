package management_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type userJSON struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		editor := env.CreateUser("editor@example.org", "editor")

		r := admin.Do("POST", "/api/v1/users", map[string]any{"email": " W@Example.org ", "name": " W ", "password": "long-enough-1"}).
			Want(http.StatusCreated)
		var u userJSON
		r.Decode(&u)
		if u.ID == "" || u.Email != "w@example.org" || u.Name != "W" || !u.Active {
			t.Errorf("created %+v; want email lower-cased, name trimmed, active", u)
		}
		if strings.Contains(string(r.Body), "password") || strings.Contains(string(r.Body), "argon2") {
			t.Errorf("response shows the password: %s", r.Body)
		}
		stored := rows(t, env.DB, "SELECT password_hash FROM users WHERE id = $1", u.ID)
		if len(stored) != 1 || !strings.HasPrefix(stored[0][0], "$argon2id$") {
			t.Errorf("password stored as %v, want an argon2id hash", stored)
		}
		loginReq(env, "w@example.org", "long-enough-1").Want(http.StatusOK)

		for _, tc := range []struct {
			name   string
			client *apptest.Client
			body   any
			status int
			code   string
			fields []string
		}{
			{"duplicate email", admin, map[string]any{"email": "w@example.org", "name": "W2", "password": "long-enough-2"}, 409, "conflict", nil},
			{"duplicate email in other case", admin, map[string]any{"email": "W@EXAMPLE.ORG", "name": "W2", "password": "long-enough-2"}, 409, "conflict", nil},
			{"bad email", admin, map[string]any{"email": "not-an-email", "name": "X", "password": "long-enough-2"}, 400, "invalid", []string{"email"}},
			{"display-name email", admin, map[string]any{"email": "X <x@example.org>", "name": "X", "password": "long-enough-2"}, 400, "invalid", []string{"email"}},
			{"short password", admin, map[string]any{"email": "x@example.org", "name": "X", "password": "short"}, 400, "invalid", []string{"password"}},
			{"everything wrong", admin, map[string]any{"email": "", "name": " ", "password": ""}, 400, "invalid", []string{"email", "name", "password"}},
			{"long name", admin, map[string]any{"email": "x@example.org", "name": strings.Repeat("n", 201), "password": "long-enough-2"}, 400, "invalid", []string{"name"}},
			{"unknown field", admin, map[string]any{"email": "x@example.org", "name": "X", "password": "long-enough-2", "role": "admin"}, 400, "invalid", []string{"role"}},
			{"not an admin", editor, map[string]any{"email": "x@example.org", "name": "X", "password": "long-enough-2"}, 403, "forbidden", nil},
			{"anonymous", env.Anonymous(), map[string]any{"email": "x@example.org", "name": "X", "password": "long-enough-2"}, 401, "unauthenticated", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := wantProblem(t, tc.client.Do("POST", "/api/v1/users", tc.body), tc.status, tc.code)
				if tc.fields != nil {
					wantFields(t, p, tc.fields...)
				}
			})
		}
		if n := len(rows(t, env.DB, "SELECT id FROM users")); n != 3 {
			t.Errorf("%d users, want 3 (admin, editor, w): refused requests created users", n)
		}
	})
}

func TestListAndGetUsers(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		author := env.CreateUser("author@example.org", "author")
		var list struct{ Data []userJSON }
		r := admin.Do("GET", "/api/v1/users", nil).Want(http.StatusOK)
		r.Decode(&list)
		emails := map[string]string{}
		for _, u := range list.Data {
			emails[u.Email] = u.ID
		}
		if len(list.Data) != 2 || emails[apptest.AdminEmail] != admin.UserID || emails["author@example.org"] != author.UserID {
			t.Errorf("list = %+v", list.Data)
		}
		if strings.Contains(string(r.Body), "argon2") {
			t.Error("the list shows password hashes")
		}
		var u userJSON
		admin.Do("GET", "/api/v1/users/"+author.UserID, nil).Want(http.StatusOK).Decode(&u)
		if u.ID != author.UserID || u.Email != "author@example.org" || !u.Active {
			t.Errorf("get = %+v", u)
		}
		for _, tc := range []struct {
			name   string
			client *apptest.Client
			path   string
			status int
			code   string
		}{
			{"unknown user", admin, "/api/v1/users/no-such-user", 404, "not_found"},
			{"author lists", author, "/api/v1/users", 403, "forbidden"},
			{"author gets", author, "/api/v1/users/" + admin.UserID, 403, "forbidden"},
			{"anonymous lists", env.Anonymous(), "/api/v1/users", 401, "unauthenticated"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantProblem(t, tc.client.Do("GET", tc.path, nil), tc.status, tc.code)
			})
		}
	})
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		author := env.CreateUser("author@example.org", "author")
		path := "/api/v1/users/" + author.UserID
		token := createToken(t, author, map[string]any{"name": "author's"})
		bearerClient(env, token.Token).Do("GET", "/api/v1/me", nil).Want(http.StatusOK)

		t.Run("name", func(t *testing.T) {
			var u userJSON
			admin.Do("PATCH", path, map[string]any{"name": " Renamed "}).Want(http.StatusOK).Decode(&u)
			if u.Name != "Renamed" || !u.Active || u.Email != "author@example.org" {
				t.Errorf("after renaming: %+v", u)
			}
			author.Do("GET", "/api/v1/me", nil).Want(http.StatusOK) // renaming keeps sessions
		})
		for _, tc := range []struct {
			name   string
			client *apptest.Client
			path   string
			body   any
			status int
			code   string
			fields []string
		}{
			{"blank name", admin, path, map[string]any{"name": ""}, 400, "invalid", []string{"name"}},
			{"short password", admin, path, map[string]any{"password": "short"}, 400, "invalid", []string{"password"}},
			{"active of the wrong type", admin, path, map[string]any{"active": "no"}, 400, "invalid", []string{"active"}},
			{"email cannot change", admin, path, map[string]any{"email": "new@example.org"}, 400, "invalid", []string{"email"}},
			{"unknown user", admin, "/api/v1/users/no-such-user", map[string]any{"name": "X"}, 404, "not_found", nil},
			{"not an admin", author, path, map[string]any{"name": "Self-promoted"}, 403, "forbidden", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := wantProblem(t, tc.client.Do("PATCH", tc.path, tc.body), tc.status, tc.code)
				if tc.fields != nil {
					wantFields(t, p, tc.fields...)
				}
			})
		}
		if u := admin.Do("GET", path, nil).Want(http.StatusOK).JSON(); u["name"] != "Renamed" || u["active"] != true {
			t.Errorf("refused patches changed the user: %v", u)
		}

		t.Run("deactivate", func(t *testing.T) {
			var u userJSON
			admin.Do("PATCH", path, map[string]any{"active": false}).Want(http.StatusOK).Decode(&u)
			if u.Active || u.Name != "Renamed" {
				t.Errorf("after deactivating: %+v", u)
			}
			wantProblem(t, author.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
			wantProblem(t, bearerClient(env, token.Token).Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
			wantProblem(t, loginReq(env, "author@example.org", "password-author@example.org"), http.StatusUnauthorized, "unauthenticated")
			// Deactivated users are kept, and listed.
			if got := admin.Do("GET", path, nil).Want(http.StatusOK).JSON(); got["active"] != false {
				t.Errorf("get after deactivating: %v", got)
			}
		})
		t.Run("reactivate", func(t *testing.T) {
			admin.Do("PATCH", path, map[string]any{"active": true}).Want(http.StatusOK)
			// The deactivation revoked the token and ended the session:
			// reactivating revives neither.
			wantProblem(t, bearerClient(env, token.Token).Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
			wantProblem(t, author.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
			again := env.Login("author@example.org", "password-author@example.org")
			var list struct{ Data []tokenJSON }
			again.Do("GET", "/api/v1/tokens", nil).Want(http.StatusOK).Decode(&list)
			if len(list.Data) != 0 {
				t.Errorf("after reactivating, the user has %d tokens: %+v", len(list.Data), list.Data)
			}
		})
		t.Run("password change ends sessions", func(t *testing.T) {
			first := env.Login("author@example.org", "password-author@example.org")
			second := env.Login("author@example.org", "password-author@example.org")
			admin.Do("PATCH", path, map[string]any{"password": "a-new-password-1"}).Want(http.StatusOK)
			for _, c := range []*apptest.Client{first, second} {
				wantProblem(t, c.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
			}
			wantProblem(t, loginReq(env, "author@example.org", "password-author@example.org"), http.StatusUnauthorized, "unauthenticated")
			env.Login("author@example.org", "a-new-password-1")
			admin.Do("GET", "/api/v1/me", nil).Want(http.StatusOK) // other users keep theirs
		})
		t.Run("audited", func(t *testing.T) {
			audit := rows(t, env.DB, "SELECT actor_id, object_type, detail FROM audit_events WHERE action = $1 AND object_id = $2 ORDER BY id",
				"user.update", author.UserID)
			if len(audit) != 4 { // rename, deactivate, reactivate, password
				t.Fatalf("%d user.update audit rows, want 4: %v", len(audit), audit)
			}
			for _, row := range audit {
				if row[0] != admin.UserID || row[1] != "user" {
					t.Errorf("audit row %v, want actor %s on a user", row, admin.UserID)
				}
				if strings.Contains(row[2], "a-new-password-1") {
					t.Errorf("audit detail holds the password: %s", row[2])
				}
			}
		})
	})
}

type assignmentJSON struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Series string `json:"series"`
}

func TestRoles(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		user := env.CreateUser("user@example.org")
		grant := map[string]any{"user_id": user.UserID, "role": "admin", "series": "*"}

		wantProblem(t, user.Do("GET", "/api/v1/users", nil), http.StatusForbidden, "forbidden")
		var a assignmentJSON
		admin.Do("POST", "/api/v1/roles", grant).Want(http.StatusCreated).Decode(&a)
		if a != (assignmentJSON{user.UserID, "admin", "*"}) {
			t.Errorf("assigned %+v", a)
		}
		t.Run("takes effect at once", func(t *testing.T) {
			user.Do("GET", "/api/v1/users", nil).Want(http.StatusOK)
		})
		t.Run("listed", func(t *testing.T) {
			var list struct{ Data []assignmentJSON }
			admin.Do("GET", "/api/v1/roles?user_id="+user.UserID, nil).Want(http.StatusOK).Decode(&list)
			if len(list.Data) != 1 || list.Data[0] != a {
				t.Errorf("user's roles = %+v", list.Data)
			}
			admin.Do("GET", "/api/v1/roles", nil).Want(http.StatusOK).Decode(&list)
			if len(list.Data) != 2 { // the first admin's and this one
				t.Errorf("all roles = %+v", list.Data)
			}
			me := user.Do("GET", "/api/v1/me", nil).Want(http.StatusOK).JSON()
			if roles, _ := me["roles"].([]any); len(roles) != 1 {
				t.Errorf("/me roles = %v", me["roles"])
			}
		})
		for _, tc := range []struct {
			name   string
			client *apptest.Client
			method string
			body   any
			status int
			code   string
			fields []string
		}{
			{"duplicate", admin, "POST", grant, 409, "conflict", nil},
			{"unknown role", admin, "POST", map[string]any{"user_id": user.UserID, "role": "wizard", "series": "*"}, 400, "invalid", []string{"role"}},
			{"unknown user", admin, "POST", map[string]any{"user_id": "no-such-user", "role": "editor", "series": "*"}, 400, "invalid", []string{"user_id"}},
			{"unknown series", admin, "POST", map[string]any{"user_id": user.UserID, "role": "editor", "series": "korea-view"}, 400, "invalid", []string{"series"}},
			{"no series", admin, "POST", map[string]any{"user_id": user.UserID, "role": "editor"}, 400, "invalid", []string{"series"}},
			{"unknown field", admin, "POST", map[string]any{"user_id": user.UserID, "role": "editor", "series": "*", "until": "never"}, 400, "invalid", []string{"until"}},
			{"revoke missing", admin, "DELETE", map[string]any{"user_id": user.UserID, "role": "editor", "series": "*"}, 404, "not_found", nil},
			{"revoke for unknown user", admin, "DELETE", map[string]any{"user_id": "no-such-user", "role": "editor", "series": "*"}, 400, "invalid", []string{"user_id"}},
			{"not an admin", env.CreateUser("editor@example.org", "editor"), "POST", map[string]any{"user_id": user.UserID, "role": "editor", "series": "*"}, 403, "forbidden", nil},
			{"anonymous", env.Anonymous(), "GET", nil, 401, "unauthenticated", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := wantProblem(t, tc.client.Do(tc.method, "/api/v1/roles", tc.body), tc.status, tc.code)
				if tc.fields != nil {
					wantFields(t, p, tc.fields...)
				}
			})
		}
		t.Run("revoke", func(t *testing.T) {
			admin.Do("DELETE", "/api/v1/roles", grant).Want(http.StatusNoContent)
			wantProblem(t, user.Do("GET", "/api/v1/users", nil), http.StatusForbidden, "forbidden")
			var list struct{ Data []assignmentJSON }
			admin.Do("GET", "/api/v1/roles?user_id="+user.UserID, nil).Want(http.StatusOK).Decode(&list)
			if len(list.Data) != 0 {
				t.Errorf("roles after revoking = %+v", list.Data)
			}
			wantProblem(t, admin.Do("DELETE", "/api/v1/roles", grant), http.StatusNotFound, "not_found")
		})
		t.Run("audited", func(t *testing.T) {
			audit := rows(t, env.DB, "SELECT actor_id, action, object_type, detail FROM audit_events WHERE object_id = $1 AND action LIKE 'role.%' ORDER BY id", user.UserID)
			if len(audit) != 2 {
				t.Fatalf("role audit rows = %v, want assign then revoke", audit)
			}
			for i, action := range []string{"role.assign", "role.revoke"} {
				row := audit[i]
				var detail map[string]string
				if err := json.Unmarshal([]byte(row[3]), &detail); err != nil {
					t.Fatalf("detail %q: %v", row[3], err)
				}
				if row[0] != admin.UserID || row[1] != action || row[2] != "user" || detail["role"] != "admin" || detail["series"] != "*" {
					t.Errorf("audit row %d = %v, want %s of admin on * by %s", i, row, action, admin.UserID)
				}
			}
		})
	})
}
