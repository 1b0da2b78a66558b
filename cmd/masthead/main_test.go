package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/migrations"
)

// env is a fake environment for run.
type env map[string]string

func (e env) getenv(name string) string { return e[name] }

// with returns a copy of e with more variables set.
func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// baseEnv is a valid configuration on a fresh database of backend b,
// migrated already: the migrations have tests of their own.
func baseEnv(t *testing.T, b storetest.Backend) env { return envOn(t, b.Migrated) }

// emptyEnv is baseEnv on a database no migration has touched.
func emptyEnv(t *testing.T, b storetest.Backend) env { return envOn(t, b.URL) }

func envOn(t *testing.T, database func(testing.TB) (string, string)) env {
	url, dir := database(t)
	if dir == "" {
		dir = t.TempDir()
	}
	return env{
		"MASTHEAD_ADDR":         "127.0.0.1:0",
		"MASTHEAD_DATA_DIR":     dir,
		"MASTHEAD_DATABASE_URL": url,
		"MASTHEAD_ADMIN_EMAIL":  "admin@example.org",
	}
}

func sqliteEnv(t *testing.T) env { return baseEnv(t, storetest.Backends(t)[0]) }

// runCmd runs the program to completion and returns what it printed.
func runCmd(t *testing.T, e env, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, e.getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory this process may not write to. root ignores
	// permissions, so it gets one the kernel refuses.
	unwritable := "/proc/self"
	if os.Geteuid() != 0 {
		unwritable = t.TempDir()
		if err := os.Chmod(unwritable, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(unwritable, 0o700) })
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	for _, tc := range []struct {
		name, variable, value string
	}{
		{"database URL of another kind", "MASTHEAD_DATABASE_URL", "mysql://user@localhost/masthead"},
		{"database URL without host", "MASTHEAD_DATABASE_URL", "postgres:///masthead"},
		{"database URL that does not parse", "MASTHEAD_DATABASE_URL", "postgres://%zz"},
		{"database URL that is a path", "MASTHEAD_DATABASE_URL", "./masthead.db"},
		{"media URL of another kind", "MASTHEAD_MEDIA_URL", "gs://bucket"},
		{"media URL without a bucket", "MASTHEAD_MEDIA_URL", "s3://?region=us-east-1"},
		{"media URL with a bad endpoint", "MASTHEAD_MEDIA_URL", "s3://bucket?endpoint=127.0.0.1:9000"},
		{"media URL with a bad path style", "MASTHEAD_MEDIA_URL", "s3://bucket?use_path_style=maybe"},
		{"data dir that is a file", "MASTHEAD_DATA_DIR", file},
		{"data dir under a file", "MASTHEAD_DATA_DIR", filepath.Join(file, "data")},
		{"data dir that is not writable", "MASTHEAD_DATA_DIR", unwritable},
		{"address that is nonsense", "MASTHEAD_ADDR", "nonsense"},
		{"address with a bad port", "MASTHEAD_ADDR", "127.0.0.1:99999"},
		{"address already in use", "MASTHEAD_ADDR", busy.Addr().String()},
		{"session TTL that is not a duration", "MASTHEAD_SESSION_TTL", "fortnight"},
		{"negative session TTL", "MASTHEAD_SESSION_TTL", "-1h"},
		{"zero policy refresh", "MASTHEAD_POLICY_REFRESH", "0s"},
		{"log level", "MASTHEAD_LOG_LEVEL", "loud"},
		{"log format", "MASTHEAD_LOG_FORMAT", "xml"},
		{"base URL without scheme", "MASTHEAD_BASE_URL", "masthead.example.org"},
		{"base URL of another scheme", "MASTHEAD_BASE_URL", "ftp://masthead.example.org"},
		{"admin email", "MASTHEAD_ADMIN_EMAIL", "root"},
		{"admin email at a host without a dot", "MASTHEAD_ADMIN_EMAIL", "admin@localhost"}, // format: email in the API refuses it
		{"short admin password", "MASTHEAD_ADMIN_PASSWORD", "short"},
		{"body limit that is not a size", "MASTHEAD_BODY_LIMIT", "lots"},
		{"zero body limit", "MASTHEAD_BODY_LIMIT", "0"},
		{"body limit that overflows", "MASTHEAD_BODY_LIMIT", "99999999999999G"},
		{"decode limit that is not a size", "MASTHEAD_DECODE_LIMIT", "half"},
		{"zero decode limit", "MASTHEAD_DECODE_LIMIT", "0"},
		{"trust proxy", "MASTHEAD_TRUST_PROXY", "maybe"},
		{"webhook allow private", "MASTHEAD_WEBHOOK_ALLOW_PRIVATE", "lan"},
		{"unsubscribe mailto with a name", "MASTHEAD_MAIL_UNSUBSCRIBE_MAILTO", "Lists <unsubscribe@example.org>"},
		{"unsubscribe mailto that is not an address", "MASTHEAD_MAIL_UNSUBSCRIBE_MAILTO", "unsubscribe"},
		{"metrics address that is nonsense", "MASTHEAD_METRICS_ADDR", "nonsense"},
		{"metrics address already in use", "MASTHEAD_METRICS_ADDR", busy.Addr().String()},
		{"short metrics token", "MASTHEAD_METRICS_TOKEN", "short"},
		{"access log", "MASTHEAD_ACCESS_LOG", "verbose"},
		{"shutdown timeout that is not a duration", "MASTHEAD_SHUTDOWN_TIMEOUT", "soon"},
		{"zero shutdown timeout", "MASTHEAD_SHUTDOWN_TIMEOUT", "0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := env{"MASTHEAD_ADDR": "127.0.0.1:0", "MASTHEAD_DATA_DIR": t.TempDir()}.with(tc.variable, tc.value)
			// A cancelled context: should the value slip through, the
			// server stops at once instead of hanging the test.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stderr bytes.Buffer
			err := run(ctx, nil, e.getenv, strings.NewReader(""), io.Discard, &stderr)
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.variable, tc.value)
			}
			if code := exitCode(err); code != 2 {
				t.Errorf("exit code %d, want 2 (err: %v)", code, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.variable) || strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine") {
				t.Errorf("message %q: want one line naming %s", msg, tc.variable)
			}
			if strings.Contains(stderr.String(), "masthead listening") {
				t.Error("the server started")
			}
		})
	}
}

// Webhooks reach private addresses only when the operator says so.
func TestConfigWebhookAllowPrivate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		want  bool
	}{{"", false}, {"false", false}, {"0", false}, {"true", true}, {"1", true}} {
		t.Run("value "+tc.value, func(t *testing.T) {
			e := env{"MASTHEAD_DATA_DIR": t.TempDir(), "MASTHEAD_WEBHOOK_ALLOW_PRIVATE": tc.value}
			cfg, err := loadConfig(e.getenv)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.WebhookAllowPrivate != tc.want {
				t.Errorf("WebhookAllowPrivate = %v, want %v", cfg.WebhookAllowPrivate, tc.want)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		stderr string // a fragment of what is printed
	}{
		{"unknown command", []string{"frobnicate"}, "", "usage: masthead"},
		{"flag without a command", []string{"--verbose"}, "", "usage: masthead"},
		{"unknown serve flag", []string{"serve", "--bogus"}, "", "bogus"},
		{"serve argument", []string{"serve", "now"}, "", ""},
		{"unknown migrate flag", []string{"migrate", "--bogus"}, "", "bogus"},
		{"user without subcommand", []string{"user"}, "", "usage: masthead"},
		{"unknown user subcommand", []string{"user", "delete"}, "", "usage: masthead"},
		{"unknown user create flag", []string{"user", "create", "--bogus"}, "", "bogus"},
		{"user create without email", []string{"user", "create", "--name", "N"}, "long-enough-1\n", "email"},
		{"user create with a bad role", []string{"user", "create", "--email", "u@example.org", "--name", "U", "--role", "wizard"}, "long-enough-1\n", ""},
		{"user create with a bad role on a series", []string{"user", "create", "--email", "u@example.org", "--name", "U", "--role", "chief:korea-view"}, "long-enough-1\n", ""},
		{"user create without a password", []string{"user", "create", "--email", "u@example.org", "--name", "U"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := runCmd(t, e, tc.stdin, tc.args...)
			if err == nil {
				t.Fatal("accepted")
			}
			if code := exitCode(err); code != 2 {
				t.Errorf("exit code %d, want 2 (err: %v)", code, err)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.stderr)
			}
		})
	}
	t.Run("nothing was created", func(t *testing.T) {
		stdout, _, err := runCmd(t, e, "long-enough-1\n", "user", "create", "--email", "u@example.org", "--name", "U")
		if err != nil || !strings.Contains(stdout, "u@example.org") {
			t.Errorf("creating the user the refused commands named: %q, %v", stdout, err)
		}
	})
	t.Run("version", func(t *testing.T) {
		stdout, _, err := runCmd(t, e, "", "version")
		if err != nil || stdout != "masthead "+version+"\n" {
			t.Errorf("version = %q, %v", stdout, err)
		}
	})
	t.Run("help", func(t *testing.T) {
		stdout, _, err := runCmd(t, e, "", "help")
		if err != nil || !strings.Contains(stdout, "usage: masthead") {
			t.Errorf("help = %q, %v", stdout, err)
		}
	})
}

// migrationStates parses `migrate` output into file name → state.
func migrationStates(t *testing.T, out string) map[string]string {
	t.Helper()
	states := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("migrate line %q: want version, state, name", line)
		}
		states[f[2]] = f[1]
	}
	return states
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := emptyEnv(t, b)
			fsys, err := migrations.For(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			files, err := fs.Glob(fsys, "*.sql")
			if err != nil || len(files) == 0 {
				t.Fatalf("no migrations: %v", err)
			}
			check := func(out, want string) {
				t.Helper()
				states := migrationStates(t, out)
				if len(states) != len(files) {
					t.Errorf("migrate lists %d migrations, want %d:\n%s", len(states), len(files), out)
				}
				for _, f := range files {
					if states[f] != want {
						t.Errorf("%s is %q, want %q:\n%s", f, states[f], want, out)
					}
				}
			}
			steps := []struct {
				args []string
				want string
			}{
				{[]string{"migrate", "--status"}, "pending"},
				{[]string{"migrate", "--status"}, "pending"}, // looking changes nothing
				{[]string{"migrate"}, "applied"},
				{[]string{"migrate", "--status"}, "applied"},
				{[]string{"migrate"}, "applied"}, // again: nothing to do
			}
			for _, s := range steps {
				stdout, stderr, err := runCmd(t, e, "", s.args...)
				if err != nil {
					t.Fatalf("%v: %v\n%s", s.args, err, stderr)
				}
				check(stdout, s.want)
			}
		})
	}
}

func TestUserCreate(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := baseEnv(t, b)
			stdout, stderr, err := runCmd(t, e, "a-long-password\n",
				"user", "create", "--email", "Writer@Example.org", "--name", "Writer", "--role", "editor")
			if err != nil {
				t.Fatalf("user create: %v\n%s", err, stderr)
			}
			if !strings.Contains(stdout, "writer@example.org") {
				t.Errorf("stdout %q does not report the user", stdout)
			}
			if _, _, err := runCmd(t, e, "another-password\n", "user", "create", "--email", "writer@example.org", "--name", "Again"); err == nil {
				t.Error("a second user with the same email was created")
			}
			if _, _, err := runCmd(t, e, "short\n", "user", "create", "--email", "short@example.org", "--name", "Short"); err == nil {
				t.Error("a user with a short password was created")
			}

			cfg, err := loadConfig(e.getenv)
			if err != nil {
				t.Fatal(err)
			}
			a, db, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			u, _, _, err := a.Auth.Login(context.Background(), "writer@example.org", "a-long-password", "127.0.0.1")
			if err != nil {
				t.Fatalf("the new user cannot sign in: %v", err)
			}
			roles := a.Authz.Assignments(u.ID)
			if len(roles) != 1 || roles[0].Role != "editor" || roles[0].Series != "*" {
				t.Errorf("roles = %+v, want editor on *", roles)
			}
			if _, err := a.Auth.User(context.Background(), u.ID); err != nil {
				t.Error(err)
			}
			if _, err := db.FindUserByEmail(context.Background(), "short@example.org"); !cms.IsCode(err, cms.CodeNotFound) {
				t.Errorf("short-password user: %v", err)
			}
		})
	}
}

// logSink collects what run writes to stderr and lets the test wait for
// a line. Handlers write to it from many goroutines.
type logSink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

func newLogSink() *logSink { return &logSink{notify: make(chan struct{})} }

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.notify)
	s.notify = make(chan struct{})
	return s.buf.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until the log matches re and returns the submatches, or
// fails when the program ends first or nothing comes for a long time.
func (s *logSink) waitFor(t *testing.T, re *regexp.Regexp, done <-chan error) []string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		s.mu.Lock()
		m := re.FindStringSubmatch(s.buf.String())
		notify := s.notify
		s.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-notify:
		case err := <-done:
			t.Fatalf("masthead ended (%v) before logging %s:\n%s", err, re, s.String())
		case <-timeout:
			t.Fatalf("masthead did not log %s:\n%s", re, s.String())
		}
	}
}

var listening = regexp.MustCompile(`msg="masthead listening" addr=(\S+)`)

// instance is a running masthead.
type instance struct {
	t    *testing.T
	URL  string
	Logs *logSink
	stop context.CancelFunc
	done chan error
}

// start runs the program as `masthead` with no arguments, like a user
// would, and waits until it listens.
func start(t *testing.T, e env) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{t: t, Logs: newLogSink(), stop: cancel, done: make(chan error, 1)}
	go func() { in.done <- run(ctx, nil, e.getenv, strings.NewReader(""), io.Discard, in.Logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
		}
	})
	m := in.Logs.waitFor(t, listening, in.done)
	in.URL = "http://" + m[1]
	return in
}

// Stop cancels the context and checks that run returns nil promptly.
func (in *instance) Stop() {
	in.t.Helper()
	in.stop()
	select {
	case err := <-in.done:
		in.done <- err // for the cleanup
		if err != nil {
			in.t.Fatalf("run = %v after cancel, want nil", err)
		}
	case <-time.After(15 * time.Second):
		in.t.Fatal("run did not return after its context was cancelled")
	}
	if !strings.Contains(in.Logs.String(), "masthead stopped") {
		in.t.Error(`no "masthead stopped" in the log`)
	}
	if _, err := http.Get(in.URL + "/healthz"); err == nil {
		in.t.Error("still serving after run returned")
	}
}

// browser is a minimal HTTP client with cookies and the CSRF token.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
	bearer string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (b *browser) do(method, path string, body any, want int) map[string]any {
	b.t.Helper()
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.base+path, r)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	if b.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+b.bearer)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			b.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return out
}

func (b *browser) login(email, password string) {
	b.t.Helper()
	resp := b.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, http.StatusOK)
	b.csrf, _ = resp["csrf_token"].(string)
	if b.csrf == "" {
		b.t.Fatalf("login gave no csrf_token: %v", resp)
	}
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := baseEnv(t, b).with("MASTHEAD_ADMIN_PASSWORD", "the-admin-password")
			in := start(t, e)
			if !strings.Contains(in.Logs.String(), "database="+b.Name) {
				t.Errorf("the listening line does not say database=%s:\n%s", b.Name, in.Logs.String())
			}
			if strings.Contains(in.Logs.String(), "the-admin-password") {
				t.Error("the configured admin password is logged")
			}
			anon := newBrowser(t, in.URL)
			anon.do("GET", "/healthz", nil, http.StatusOK)
			anon.do("GET", "/readyz", nil, http.StatusOK)
			anon.do("GET", "/api/v1/me", nil, http.StatusUnauthorized)

			admin := newBrowser(t, in.URL)
			admin.login("admin@example.org", "the-admin-password")
			created := admin.do("POST", "/api/v1/tokens", map[string]any{"name": "e2e"}, http.StatusCreated)
			secret, _ := created["token"].(string)
			if !strings.HasPrefix(secret, "mh_") {
				t.Fatalf("token = %v", created)
			}
			api := newBrowser(t, in.URL)
			api.bearer = secret
			me := api.do("GET", "/api/v1/me", nil, http.StatusOK)
			if user, _ := me["user"].(map[string]any); user["email"] != "admin@example.org" {
				t.Errorf("/me with the token = %v", me)
			}
			api.do("POST", "/api/v1/users", map[string]string{"email": "w@example.org", "name": "W", "password": "writer-password"}, http.StatusCreated)
			writer := newBrowser(t, in.URL)
			writer.login("w@example.org", "writer-password")
			writer.do("GET", "/api/v1/users", nil, http.StatusForbidden)
			admin.do("POST", "/api/v1/auth/logout", nil, http.StatusNoContent)
			admin.do("GET", "/api/v1/me", nil, http.StatusUnauthorized)

			in.Stop()
		})
	}
}

// TestNoFirstAdminWhenUsersExist: a user created with the CLI before the
// first start means no admin is made from the environment.
func TestNoFirstAdminWhenUsersExist(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t).with("MASTHEAD_ADMIN_PASSWORD", "the-admin-password")
	if _, _, err := runCmd(t, e, "writer-password\n", "user", "create", "--email", "w@example.org", "--name", "W"); err != nil {
		t.Fatalf("user create: %v", err)
	}
	in := start(t, e)
	if strings.Contains(in.Logs.String(), "first admin") {
		t.Errorf("a first admin was created although a user existed:\n%s", in.Logs.String())
	}
	newBrowser(t, in.URL).do("POST", "/api/v1/auth/login",
		map[string]string{"email": "admin@example.org", "password": "the-admin-password"}, http.StatusUnauthorized)
	newBrowser(t, in.URL).login("w@example.org", "writer-password")
	in.Stop()
}

var generatedPassword = regexp.MustCompile(`random password.*password=(\S+)`)

func TestFirstStartAdmin(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := baseEnv(t, b)

			first := start(t, e)
			m := first.Logs.waitFor(t, generatedPassword, first.done)
			password := m[1]
			if len(password) < 16 {
				t.Errorf("generated password %q is short", password)
			}
			if n := strings.Count(first.Logs.String(), password); n != 1 {
				t.Errorf("the password appears %d times in the log, want once", n)
			}
			admin := newBrowser(t, first.URL)
			admin.login("admin@example.org", password)
			me := admin.do("GET", "/api/v1/me", nil, http.StatusOK)
			if roles, _ := me["roles"].([]any); len(roles) != 1 {
				t.Errorf("first admin's roles = %v", me["roles"])
			}
			admin.do("GET", "/api/v1/users", nil, http.StatusOK)
			first.Stop()

			second := start(t, e)
			if logs := second.Logs.String(); strings.Contains(logs, "password") || strings.Contains(logs, "first admin") {
				t.Errorf("the second start talks about the admin password:\n%s", logs)
			}
			newBrowser(t, second.URL).login("admin@example.org", password)
			second.Stop()
		})
	}
}
