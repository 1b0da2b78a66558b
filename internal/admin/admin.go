// Package admin is the newsroom UI served at /admin: server-rendered
// html/template pages over the same services as the management API,
// progressively enhanced with a small vendored script library. Templates
// are parsed and static files hashed once at start, so a broken template
// stops the program. Handlers decode a form, call one domain method and
// render; every permission question goes to the enforcer. It imports the
// domain packages and server (for the error-to-status mapping), never the
// store.
package admin

import (
	"context"
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // schedule times arrive in the writer's IANA time zone

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/audit"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/notify"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/release"
	"github.com/masthead-cms/masthead/internal/render"
	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/webhook"
	"github.com/masthead-cms/masthead/internal/wordpress"
	"github.com/masthead-cms/masthead/web"
)

// Deps are the services the UI calls.
type Deps struct {
	Auth     *auth.Service
	Authz    *authz.Enforcer
	Content  *content.Service
	Live     *published.Service
	Webhooks *webhook.Service
	Releases *release.Service
	// Media is the media library; without it the library and the hero
	// picker are off.
	Media *media.Service
	// Search is the staff search; without it the search page is off.
	Search *search.Service
	// Newsletter and Editions are the mailing lists and their editions;
	// without Editions the newsletter pages and buttons are off.
	Newsletter *newsletter.Service
	Editions   *newsletter.Editions
	// WordPress imports WordPress exports; without it the import page is off.
	WordPress *wordpress.Importer
	// Notify is the notifications; without it the bell and its pages are off.
	Notify *notify.Service
	// Audit is the audit log; without it its page is off.
	Audit         *audit.Service
	SecureCookies bool
	// PreviewPage renders a head revision with the reader site's own
	// document template (site.Site.PreviewPage), sent with PreviewPolicy
	// as its Content-Security-Policy; nil, the preview is drawn by the
	// UI's own template.
	PreviewPage   func(ctx context.Context, d render.Document) ([]byte, error)
	PreviewPolicy string
	// Logger records failures the UI shows as "internal error".
	Logger *slog.Logger
	// TimeZone is the newsroom's zone (MASTHEAD_TIMEZONE): the UI prints
	// times in the zone each person's browser reports, else in this one
	// (nil: UTC).
	TimeZone *time.Location
}

// UI is the parsed newsroom UI, ready to mount.
type UI struct {
	h *handler
}

type handler struct {
	Deps
	assets *assets
	pages  map[string]*pageTemplate
}

// New hashes the static files and parses the templates; a template that
// does not parse is an error at start, never at the first request.
func New(d Deps) (*UI, error) {
	a, err := loadAssets(web.Static())
	if err != nil {
		return nil, fmt.Errorf("admin: static: %w", err)
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{Deps: d, assets: a}
	if h.pages, err = parsePages(web.Templates(), h.funcs()); err != nil {
		return nil, fmt.Errorf("admin: templates: %w", err)
	}
	return &UI{h: h}, nil
}

// Register mounts the UI under /admin. Each route names the permission it
// needs where that is a system permission; document routes leave the
// decision to the domain, which asks the enforcer about the document.
func (ui *UI) Register(e *echo.Echo) {
	h := ui.h
	g := e.Group("/admin", h.secureHeaders, h.handleErrors)
	g.GET("/static/*", h.static)
	g.GET("/login", h.loginPage)
	g.POST("/login", h.login)

	s := g.Group("", h.authenticate)
	allow := h.allow
	s.POST("/logout", h.logout)
	s.GET("", h.dashboard)
	s.GET("/", h.dashboard)

	s.GET("/documents", h.listDocuments)
	s.GET("/documents/new", h.newDocument)
	s.POST("/documents", h.createDocument)
	s.GET("/documents/:id", h.editDocument)
	s.POST("/documents/:id", h.saveDocument)
	s.POST("/documents/:id/autosave", h.autosaveDocument)
	s.POST("/documents/:id/lock", h.takeOverLock)
	s.GET("/documents/:id/preview", h.previewDocument)
	s.GET("/documents/:id/page", h.previewSitePage)
	s.POST("/markdown", h.renderMarkdown)
	s.POST("/documents/:id/preview-links", h.createPreviewLink)
	s.POST("/documents/:id/transitions", h.transitionDocument)
	s.POST("/documents/:id/embargo", h.setEmbargo)
	s.POST("/documents/:id/expiry", h.setExpiry)
	s.POST("/documents/:id/comments", h.addComment)
	s.POST("/documents/:id/comments/:cid/resolve", h.resolveComment)
	s.GET("/documents/:id/credits", h.creditsPage)
	s.POST("/documents/:id/credits", h.saveCredits)
	s.POST("/documents/:id/credits/line", h.creditLine)
	s.GET("/documents/:id/revisions", h.listRevisions)
	s.GET("/documents/:id/diff", h.diffRevisions)
	s.POST("/documents/:id/revisions/:n/restore", h.restoreRevision)
	s.GET("/documents/:id/delete", h.confirmDelete)
	s.POST("/documents/:id/delete", h.deleteDocument)
	s.GET("/slug", h.slugPreview)
	s.GET("/calendar", h.calendarPage)

	s.GET("/contributors", h.listContributors)
	s.GET("/contributors/search", h.searchContributors)
	s.POST("/contributors", h.createContributor)
	s.POST("/contributors/:slug", h.updateContributor)
	s.GET("/content-types", h.listContentTypes)
	if h.Search != nil {
		s.GET("/search", h.staffSearch)
	}
	if h.Media != nil {
		// The media service asks the enforcer who may upload and edit.
		s.GET("/media", h.listMedia)
		s.POST("/media", h.uploadMedia)
		s.POST("/media/:id", h.updateMedia)
	}

	s.GET("/series", h.listSeries)
	s.POST("/series", h.createSeries, allow("manage", authz.SeriesObj))
	s.GET("/series/:slug", h.editSeries, allow("manage", authz.SeriesObj))
	s.POST("/series/:slug", h.updateSeries, allow("manage", authz.SeriesObj))
	if h.Editions != nil {
		// The editions ask the enforcer about the series: its publishers
		// and admins set its newsletter.
		s.GET("/series/:slug/newsletter", h.newsletterSettings)
		s.POST("/series/:slug/newsletter", h.saveNewsletterSettings)
		s.POST("/documents/:id/sends", h.createSend)
		s.GET("/sends/:id/progress", h.sendProgress)
		s.POST("/sends/:id/pause", h.pauseSend)
		s.POST("/sends/:id/resume", h.resumeSend)
	}
	if h.Newsletter != nil {
		s.GET("/subscribers", h.listSubscribers, allow("manage", authz.Subscribers))
	}
	if h.Editions != nil && h.Newsletter != nil {
		// The page is the admins'; the editions check each list again.
		s.GET("/subscribers/export", h.exportSubscribers, allow("manage", authz.Subscribers))
		s.POST("/subscribers/import", h.importSubscribers, allow("manage", authz.Subscribers))
		s.GET("/subscribers/:id/erase", h.confirmErase, allow("manage", authz.Subscribers))
		s.POST("/subscribers/:id/erase", h.eraseSubscriber, allow("manage", authz.Subscribers))
	}
	if h.Editions != nil && h.Newsletter != nil {
		s.POST("/documents/:id/test-send", h.testSend)
		s.GET("/documents/:id/newsletter-preview", h.newsletterPreview)
	}

	s.GET("/users", h.listUsers, allow("manage", authz.Users))
	s.POST("/users", h.createUser, allow("manage", authz.Users))
	s.POST("/users/:id/active", h.setUserActive, allow("manage", authz.Users))
	s.POST("/roles", h.assignRole, allow("manage", authz.Roles))
	s.POST("/roles/revoke", h.revokeRole, allow("manage", authz.Roles))

	// Every signed-in user manages their own account and tokens.
	s.GET("/account", h.accountPage)
	s.POST("/account/password", h.changePassword)
	if h.Audit != nil {
		s.GET("/audit", h.auditPage)
	}
	if h.Notify != nil {
		s.GET("/notifications", h.notificationsPage)
		s.GET("/notifications/bell", h.bell)
		s.POST("/notifications/read", h.readNotifications)
		s.POST("/notifications/preferences", h.saveNotificationPrefs)
	}
	s.GET("/tokens", h.listTokens)
	s.POST("/tokens", h.createToken)
	s.POST("/tokens/:id/revoke", h.revokeToken)

	// Releases: the release service asks the enforcer in each series of
	// a release's documents.
	s.GET("/releases", h.listReleases)
	s.POST("/releases", h.createRelease)
	s.GET("/releases/:id", h.showRelease)
	s.POST("/releases/:id/publish", h.publishRelease)
	s.POST("/releases/:id/schedule", h.scheduleRelease)
	s.POST("/releases/:id/unschedule", h.unscheduleRelease)
	s.POST("/releases/:id/items", h.addReleaseItem)
	s.POST("/releases/:id/items/:document/remove", h.removeReleaseItem)
	s.POST("/releases/:id/delete", h.deleteRelease)

	s.GET("/webhooks", h.listWebhooks, allow("manage", authz.Webhooks))
	s.POST("/webhooks", h.createWebhook, allow("manage", authz.Webhooks))
	s.GET("/webhooks/:id", h.showWebhook, allow("manage", authz.Webhooks))
	s.POST("/webhooks/:id/delete", h.deleteWebhook, allow("manage", authz.Webhooks))

	if h.WordPress != nil {
		s.GET("/imports", h.importForm, allow("manage", authz.Imports))
		s.POST("/imports", h.startImport, allow("manage", authz.Imports))
		s.GET("/imports/:id", h.showImport, allow("manage", authz.Imports))
		s.GET("/imports/:id/progress", h.importProgress, allow("manage", authz.Imports))
	}

	g.Any("/*", h.notFound)
}
