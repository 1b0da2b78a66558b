package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/notify"
)

// pageTemplate is one page: the layout, the shared partials and the
// page's own "content". It is never executed itself (a template once
// run cannot be cloned): execute runs a clone.
type pageTemplate struct {
	t *template.Template

	// clones are the page bound to each clock it was printed with: a
	// clone costs milliseconds (it escapes the page anew), running one
	// microseconds. A newsroom has a handful of zones; past maxClones a
	// page is cloned per request instead of kept.
	mu     sync.Mutex
	clones map[clockKey]*template.Template
}

// clockKey names a clock: its zone and its hour cycle.
type clockKey struct {
	zone   string
	hour12 bool
}

const maxClones = 32

// with returns the page bound to k's functions.
func (pt *pageTemplate) with(k clock) (*template.Template, error) {
	key := clockKey{k.zone(), k.hour12}
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if t, ok := pt.clones[key]; ok {
		return t, nil
	}
	t, err := pt.t.Clone()
	if err != nil {
		return nil, err
	}
	t.Funcs(k.funcs())
	if pt.clones == nil {
		pt.clones = map[clockKey]*template.Template{}
	}
	if len(pt.clones) < maxClones {
		pt.clones[key] = t
	}
	return t, nil
}

// parsePages parses every page template with the layout and partials.
func parsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*pageTemplate, error) {
	names, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, name := range names {
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(fsys, "layout.html", "partials.html", name)
		if err != nil {
			return nil, err
		}
		pages[name] = &pageTemplate{t: t}
	}
	return pages, nil
}

// page is what every template gets: the chrome (who is signed in, their
// CSRF token, which menu entries the enforcer lets them see) and the
// page's own data.
type page struct {
	Title string
	User  *signedIn
	Nav   nav
	Flash flash
	Path  string
	Data  any
	// Unread is the bell's count; -1 without notifications.
	Unread int
	// Zone is the IANA name of the zone the page prints times in.
	Zone string
}

// nav says which admin pages the person may open.
type nav struct {
	Users, Series, Webhooks, Releases, Create, Media, Search, Subscribers, Imports, Audit bool
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (h *handler) render(c echo.Context, status int, name, title string, data any) error {
	p := page{Title: title, Path: c.Request().URL.Path, Data: data, Flash: takeFlash(c), Unread: -1}
	if s, ok := sessionOf(c); ok {
		p.User = &s
		actor := actorOf(c)
		p.Unread = h.unread(c)
		p.Nav = nav{
			Users:       h.Authz.Allowed(actor, "manage", authz.Users),
			Series:      h.Authz.Allowed(actor, "manage", authz.SeriesObj),
			Webhooks:    h.Authz.Allowed(actor, "manage", authz.Webhooks),
			Releases:    h.Releases != nil && h.Authz.CanSomewhere(actor, "manage", releaseObject) == nil,
			Media:       h.Media != nil,
			Search:      h.Search != nil,
			Subscribers: h.Newsletter != nil && h.Authz.Allowed(actor, "manage", authz.Subscribers),
			Imports:     h.WordPress != nil && h.Authz.Allowed(actor, "manage", authz.Imports),
		}
		if series, err := h.Content.AllSeries(c.Request().Context()); err == nil {
			p.Nav.Create = h.canSomewhere(actor, series, "create", "")
			p.Nav.Audit = h.Audit != nil && (h.Authz.Allowed(actor, "read", authz.Audit) || h.canSomewhere(actor, series, "audit", ""))
		}
	}
	k := h.clock(c)
	p.Zone = k.zone()
	buf, err := h.execute(k, name, "layout", p)
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, buf)
}

// execute runs the template called what of a page with the person's
// clock. The parsed pages are never run themselves: a request runs the
// clone bound to its clock's functions, so that one person's time zone
// never leaks into another's page.
func (h *handler) execute(k clock, page, what string, data any) ([]byte, error) {
	pt, ok := h.pages[page]
	if !ok {
		return nil, fmt.Errorf("admin: no page %s", page)
	}
	t, err := pt.with(k)
	if err != nil {
		return nil, fmt.Errorf("admin: render %s: %w", page, err)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, what, data); err != nil {
		return nil, fmt.Errorf("admin: render %s/%s: %w", page, what, err)
	}
	return buf.Bytes(), nil
}

// fragmentFor renders one named template of a page, for a script's
// request, with the person's clock.
func (h *handler) fragmentFor(c echo.Context, page, name string, data any) (string, error) {
	buf, err := h.execute(h.clock(c), page, name, data)
	return string(buf), err
}

// flash is a one-time message shown on the page after a redirect.
type flash struct {
	Kind    string // "ok" or "error"
	Message string
}

const flashCookie = "masthead_flash"

// redirect sends the browser to path (after a POST) with a message for
// the next page.
func (h *handler) redirect(c echo.Context, path, kind, message string) error {
	if message != "" {
		c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(kind + "|" + message), Path: "/admin",
			HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	return c.Redirect(http.StatusSeeOther, path)
}

func takeFlash(c echo.Context) flash {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return flash{}
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Path: "/admin", MaxAge: -1, HttpOnly: true})
	raw, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return flash{}
	}
	kind, msg, _ := strings.Cut(raw, "|")
	if kind != "error" {
		kind = "ok"
	}
	return flash{Kind: kind, Message: msg}
}

var stateLabels = map[string]string{
	"draft": "Draft", "in_review": "In review", "approved": "Approved", "scheduled": "Scheduled",
	"published": "Published", "archived": "Archived",
}

func (h *handler) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": h.assets.url,
		"stateLabel": func(s any) string {
			if l, ok := stateLabels[fmt.Sprint(s)]; ok {
				return l
			}
			return fmt.Sprint(s)
		},
		// when, whenSeconds and zoneName print in the person's zone;
		// execute binds them to the request's clock.
		"when":        clock{loc: time.UTC}.format,
		"whenSeconds": clock{loc: time.UTC}.formatSeconds,
		"zoneName":    clock{loc: time.UTC}.zone,
		"iso":         func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"longDate":    func(t time.Time) string { return t.UTC().Format("January 2, 2006") },
		// ahead reports whether a planned time (an embargo) is still to
		// come, for the "Embargoed until …" banners.
		"planForm": func(d content.Document, path, label, set, clear string, current *time.Time, csrf string) planForm {
			return planForm{Doc: d, Path: path, Label: label, Set: set, Clear: clear, Current: current, CSRF: csrf}
		},
		"noticeLabel": func(k notify.Kind) string {
			if l, ok := noticeLabels[k]; ok {
				return l
			}
			return string(k)
		},
		"entryLabel": func(kind string) string {
			if l, ok := entryLabels[kind]; ok {
				return l
			}
			return kind
		},
		"ahead": func(t *time.Time) bool { return t != nil && t.After(time.Now()) },
		"deref": func(p any) any {
			switch v := p.(type) {
			case *time.Time:
				if v == nil {
					return time.Time{}
				}
				return *v
			case *string:
				if v == nil {
					return ""
				}
				return *v
			case *int:
				if v == nil {
					return 0
				}
				return *v
			}
			return p
		},
		"add":         func(a, b int) int { return a + b },
		"list":        func(s ...string) []string { return s },
		"join":        strings.Join,
		"safeHTML":    func(s string) template.HTML { return template.HTML(s) }, // only for HTML the renderer sanitized
		"richHTML":    richHTML,
		"textList":    textList,
		"roleNames":   authz.RoleNames,
		"creditRoles": func() []string { return creditRoles },
		"kindLabel":   func(k string) string { return kindLabels[k] },
	}
}

// planForm is the editor's form for an embargo or an expiry.
type planForm struct {
	Doc                     content.Document
	Path, Label, Set, Clear string
	Current                 *time.Time
	CSRF                    string
}

// creditRoles are the roles offered in the credits editor, in the order
// a credit line reads best.
var creditRoles = []string{"editor", "author", "contributor", "researcher", "photographer", "illustrator", "translator"}

var kindLabels = map[string]string{
	content.KindText: "Text", content.KindRichText: "Rich text (Markdown)", content.KindTextList: "List of short texts",
	content.KindDate: "Date", content.KindMedia: "Media reference", content.KindDocument: "Document reference",
}
