// Package admin is the newsroom UI served at /admin: server-rendered
// html/template pages over the same services as the management API,
// progressively enhanced with a small vendored script library. Templates
// are parsed once at start, so a broken template stops the program.
package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/delivery"
	"github.com/masthead-cms/masthead/internal/webhook"
	"github.com/masthead-cms/masthead/web"
)

// Deps are the services the UI calls.
type Deps struct {
	Auth          *auth.Service
	Authz         *authz.Enforcer
	Content       *content.Service
	Delivery      *delivery.Service
	Webhooks      *webhook.Service
	SecureCookies bool
}

// UI is the parsed newsroom UI, ready to mount.
type UI struct {
	h *handler
}

type handler struct {
	Deps
	pages *template.Template
}

// New parses the templates; a template that does not parse is an error
// at start, never at the first request.
func New(d Deps) (*UI, error) {
	pages, err := template.ParseFS(web.Templates(), "*.html")
	if err != nil {
		return nil, fmt.Errorf("admin: templates: %w", err)
	}
	return &UI{h: &handler{Deps: d, pages: pages}}, nil
}

// Register mounts the UI under /admin.
func (ui *UI) Register(e *echo.Echo) {
	h := ui.h
	g := e.Group("/admin")
	g.GET("", h.home)
}

func (h *handler) home(c echo.Context) error {
	return h.render(c, http.StatusOK, "home.html", map[string]any{"Title": "Home"})
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (h *handler) render(c echo.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("admin: render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}
