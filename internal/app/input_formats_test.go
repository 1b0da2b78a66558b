package app_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestUserEmailsSatisfyTheDocumentedFormat keeps User.email's
// `format: email` true: an address a client's format check would refuse
// (no dot in the host, a quoted local part) is refused when the user is
// created, and nothing is stored.
func TestUserEmailsSatisfyTheDocumentedFormat(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		for _, email := range []string{
			"admin@localhost", `"two words"@example.org`, "a..b@example.org", "a@-example.org", "a@example..org", "a@exa_mple.org",
		} {
			t.Run(email, func(t *testing.T) {
				before := countUsers(t, env.DB)
				r := admin.Do("POST", "/api/v1/users", map[string]any{"email": email, "name": "Someone", "password": "a-long-password"})
				p := wantProblem(t, r, http.StatusBadRequest, "invalid")
				if !slices.Contains(fieldsOf(p), "email") {
					t.Errorf("problem names %v, want email", fieldsOf(p))
				}
				if after := countUsers(t, env.DB); after != before {
					t.Errorf("users: %d before, %d after a refused create", before, after)
				}
			})
		}
		// The default first admin's address is one an account may have.
		admin.Do("POST", "/api/v1/users", map[string]any{"email": "admin@masthead.localhost", "name": "Someone", "password": "a-long-password"}).Want(http.StatusCreated)
	})
}

// TestSearchFacetsIsABoolean: the document types facets as a boolean, so
// any other value is a 400 problem naming it, as a bad limit is.
func TestSearchFacetsIsABoolean(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anonymous()
		for _, v := range []string{"yes", "1", "0", "TRUE", "on"} {
			r := anon.Do("GET", "/delivery/v1/search?q=anything&facets="+v, nil)
			p := wantProblem(t, r, http.StatusBadRequest, "invalid")
			if !slices.Equal(fieldsOf(p), []string{"facets"}) {
				t.Errorf("facets=%s: problem names %v, want [facets]", v, fieldsOf(p))
			}
		}
		var on, off struct {
			Facets *struct{} `json:"facets"`
		}
		anon.Do("GET", "/delivery/v1/search?q=anything&facets=true", nil).Want(http.StatusOK).Decode(&on)
		anon.Do("GET", "/delivery/v1/search?q=anything&facets=false", nil).Want(http.StatusOK).Decode(&off)
		if on.Facets == nil || off.Facets != nil {
			t.Errorf("facets=true gave facets %v, facets=false gave %v", on.Facets != nil, off.Facets != nil)
		}
	})
}
