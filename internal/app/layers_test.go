package app_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/masthead-cms/masthead/"

// goList returns, for every package of the module, the packages it
// imports (directly, or with deps set, transitively).
func goList(t *testing.T, deps bool) map[string][]string {
	t.Helper()
	field := "{{.Imports}}"
	if deps {
		field = "{{.Deps}}"
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} "+field, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, imports, _ := strings.Cut(line, " ")
		pkgs[strings.TrimPrefix(name, module)] = strings.Fields(strings.Trim(imports, "[]"))
	}
	return pkgs
}

// TestDependenciesPointOneWay keeps STYLE.md's layering true: GORM only in
// the store, Casbin only in authz, domain packages free of the web and the
// database, HTTP packages never reaching into the store nor into one
// another (what two of them share is a domain use case; internal/server is
// the HTTP toolkit they all build on).
func TestDependenciesPointOneWay(t *testing.T) {
	t.Parallel()
	direct, all := goList(t, false), goList(t, true)
	domain := []string{"internal/cms", "internal/auth", "internal/authz", "internal/content", "internal/workflow",
		"internal/render", "internal/search", "internal/media", "internal/newsletter", "internal/webhook", "internal/published", "internal/release", "internal/wordpress", "internal/ghost", "internal/notify", "internal/audit"}
	web := []string{"internal/management", "internal/delivery", "internal/admin", "internal/site", "internal/server", "internal/apidoc"}
	for pkg, imports := range direct {
		for _, imp := range imports {
			local := strings.TrimPrefix(imp, module)
			switch {
			case strings.HasPrefix(imp, "gorm.io/") && pkg != "internal/store":
				t.Errorf("%s imports %s: only internal/store may use GORM", pkg, imp)
			case strings.HasPrefix(imp, "github.com/casbin/") && pkg != "internal/authz":
				t.Errorf("%s imports %s: only internal/authz may use Casbin", pkg, imp)
			case slices.Contains(domain, pkg) && (strings.HasPrefix(imp, "github.com/labstack/echo") || local == "internal/store" ||
				local == "internal/app" || slices.Contains(web, local)):
				t.Errorf("domain package %s imports %s", pkg, imp)
			case slices.Contains(web, pkg) && local == "internal/store":
				t.Errorf("HTTP package %s imports the store", pkg)
			case slices.Contains(web, pkg) && slices.Contains(web, local) && local != "internal/server":
				t.Errorf("HTTP package %s imports HTTP package %s: share a domain use case instead", pkg, local)
			case pkg == "internal/cms" && strings.Contains(imp, "."):
				t.Errorf("internal/cms imports %s: it uses the standard library only", imp)
			}
		}
	}
	for _, dep := range all["internal/store"] {
		if strings.HasPrefix(dep, "github.com/labstack/echo") {
			t.Errorf("internal/store depends on %s (through an HTTP package)", dep)
		}
	}
	if len(direct) < 15 {
		t.Fatalf("go list found only %d packages", len(direct))
	}
}
