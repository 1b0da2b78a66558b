// Package management is the authenticated management API under /api/v1:
// Echo handlers that decode a request, authorize it through the one
// enforcer, call one domain method and encode the answer. Register lists
// every route with the permission it needs.
package management

import (
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/masthead-cms/masthead/internal/audit"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/notify"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/release"
	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/server"
	"github.com/masthead-cms/masthead/internal/webhook"
	"github.com/masthead-cms/masthead/internal/wordpress"
)

// Deps are the services the management API calls.
type Deps struct {
	Auth  *auth.Service
	Authz *authz.Enforcer
	// SecureCookies marks the session cookie Secure (the base URL is https).
	SecureCookies bool
	Content       *content.Service
	Releases      *release.Service
	Live          *published.Service
	Webhooks      *webhook.Service
	Search        *search.Service
	Media         *media.Service
	Newsletter    *newsletter.Service
	Editions      *newsletter.Editions
	WordPress     *wordpress.Importer
	Notify        *notify.Service
	Audit         *audit.Service
	// UploadLimit is the largest upload in bytes; the upload route has
	// its own body limit, a little above it for the form's framing.
	UploadLimit int64
}

type handler struct {
	Deps
}

// decode reads a request's JSON body strictly (see server.DecodeJSON).
func decode(c echo.Context, v any) error { return server.DecodeJSON(c, v) }

// Register mounts every management route on g (the /api/v1 group).
func Register(g *echo.Group, d Deps) {
	h := &handler{Deps: d}
	authn := h.authenticate
	allow := h.allow

	g.POST("/auth/login", h.login)
	g.POST("/auth/logout", h.logout, authn)
	g.GET("/me", h.me, authn)
	g.PUT("/me/password", h.changePassword, authn) // one's own account: no permission needed
	// One's own notifications and their mail settings: no permission needed.
	g.GET("/me/notifications", h.getNotificationPrefs, authn)
	g.PUT("/me/notifications", h.putNotificationPrefs, authn)
	g.GET("/notifications", h.listNotifications, authn)
	g.POST("/notifications/read", h.readNotifications, authn)

	g.GET("/users", h.listUsers, authn, allow("manage", authz.Users))
	g.POST("/users", h.createUser, authn, allow("manage", authz.Users))
	g.GET("/users/:id", h.getUser, authn, allow("manage", authz.Users))
	g.PATCH("/users/:id", h.updateUser, authn, allow("manage", authz.Users))

	g.GET("/roles", h.listRoles, authn, allow("manage", authz.Roles))
	g.POST("/roles", h.assignRole, authn, allow("manage", authz.Roles))
	g.DELETE("/roles", h.revokeRole, authn, allow("manage", authz.Roles))

	// Every signed-in user manages their own tokens.
	g.GET("/tokens", h.listTokens, authn)
	g.POST("/tokens", h.createToken, authn)
	g.DELETE("/tokens/:id", h.deleteToken, authn)

	g.GET("/series", h.listSeries, authn)
	g.POST("/series", h.createSeries, authn, allow("manage", authz.SeriesObj))
	g.GET("/series/:slug", h.getSeries, authn)
	g.PATCH("/series/:slug", h.updateSeries, authn, allow("manage", authz.SeriesObj))
	g.GET("/content-types", h.listContentTypes, authn)
	g.POST("/content-types", h.createContentType, authn, allow("manage", authz.ContentTypes))
	g.GET("/content-types/:name", h.getContentType, authn)
	// Contributors are shared; the domain lets editors of any series add them.
	g.GET("/contributors", h.listContributors, authn)
	g.POST("/contributors", h.createContributor, authn)
	g.GET("/contributors/:slug", h.getContributor, authn)
	g.PATCH("/contributors/:slug", h.updateContributor, authn)

	// Documents: the domain asks the enforcer about each document (its
	// series, state and owner), so these routes need only a signed-in user.
	g.GET("/documents", h.listDocuments, authn)
	g.POST("/documents", h.createDocument, authn)
	g.GET("/documents/:id", h.getDocument, authn)
	g.PATCH("/documents/:id", h.updateDocument, authn)
	g.POST("/documents/:id/merge", h.mergeDocument, authn)
	g.DELETE("/documents/:id", h.deleteDocument, authn)
	g.POST("/documents/:id/transitions", h.transitionDocument, authn)
	g.GET("/documents/:id/revisions", h.listRevisions, authn)
	g.GET("/documents/:id/revisions/:n", h.getRevision, authn)
	g.GET("/documents/:id/revisions/:a/diff/:b", h.diffRevisions, authn)
	g.POST("/documents/:id/revisions/:n/restore", h.restoreRevision, authn)
	g.POST("/documents/:id/lock", h.lockDocument, authn)
	g.DELETE("/documents/:id/lock", h.unlockDocument, authn)
	g.PUT("/documents/:id/embargo", h.setEmbargo, authn)
	g.PUT("/documents/:id/expiry", h.setExpiry, authn)
	g.GET("/documents/:id/credits", h.getCredits, authn)
	g.PUT("/documents/:id/credits", h.setCredits, authn)
	g.GET("/documents/:id/comments", h.listComments, authn)
	g.POST("/documents/:id/comments", h.addComment, authn)
	g.POST("/documents/:id/comments/:cid/resolve", h.resolveComment, authn)
	g.GET("/documents/:id/events", h.listEvents, authn)
	g.GET("/documents/:id/preview-links", h.listPreviewLinks, authn)
	g.POST("/documents/:id/preview-links", h.createPreviewLink, authn)
	g.DELETE("/documents/:id/preview-links/:pid", h.revokePreviewLink, authn)
	g.GET("/documents/:id/newsletter-preview", h.newsletterPreview, authn)
	g.POST("/documents/:id/test-send", h.testSend, authn)

	// Media: the domain lets assistants and up (in any series) upload and
	// describe; every signed-in user may look.
	g.GET("/media", h.listMedia, authn)
	g.POST("/media", h.uploadMedia, middleware.BodyLimit(strconv.FormatInt(d.UploadLimit/1024+64, 10)+"K"), authn)
	g.GET("/media/:id", h.getMedia, authn)
	g.PATCH("/media/:id", h.updateMedia, authn)
	g.GET("/media/:id/file", h.mediaFile, authn)
	g.GET("/media/:id/file/:key", h.mediaVariantFile, authn)

	// The calendar: the domain keeps to the documents each person may see.
	g.GET("/calendar", h.getCalendar, authn)

	// The audit log: the domain lets admins read all of it, editors the
	// events of their series' documents.
	g.GET("/audit", h.listAudit, authn)
	g.GET("/audit/export", h.exportAudit, authn)

	// Staff search: the domain filters to what the enforcer lets each
	// person see.
	g.GET("/search", h.staffSearch, authn)

	g.GET("/subscribers", h.listSubscribers, authn, allow("manage", authz.Subscribers))
	// Export and import: the domain lets a series' publishers handle its
	// list, and admins every list; erasure reaches every list, so admins.
	g.GET("/subscribers/export", h.exportSubscribers, authn)
	g.POST("/subscribers/import", h.importSubscribers, authn)
	g.DELETE("/subscribers/:id", h.eraseSubscriber, authn, allow("manage", authz.Subscribers))
	// A mail provider or relay reports bounces and complaints with a token
	// of the mail-events scope, held by someone who manages subscribers.
	g.POST("/mail-events", h.postMailEvents, h.tokenOnly(auth.ScopeMailEvents), allow("manage", authz.Subscribers))

	// Newsletter editions: the domain asks the enforcer about the series.
	g.GET("/series/:slug/newsletter", h.getNewsletterSettings, authn)
	g.PUT("/series/:slug/newsletter", h.putNewsletterSettings, authn)
	g.POST("/documents/:id/sends", h.createSend, authn)
	g.GET("/sends", h.listSends, authn)
	g.GET("/sends/:id", h.getSend, authn)
	g.GET("/sends/:id/recipients", h.listRecipients, authn)
	g.POST("/sends/:id/pause", h.pauseSend, authn)
	g.POST("/sends/:id/resume", h.resumeSend, authn)

	// Releases: the domain asks the enforcer about the release in each
	// series of its documents.
	g.GET("/releases", h.listReleases, authn)
	g.POST("/releases", h.createRelease, authn)
	g.GET("/releases/:id", h.getRelease, authn)
	g.DELETE("/releases/:id", h.deleteRelease, authn)
	g.POST("/releases/:id/items", h.addReleaseItem, authn)
	g.DELETE("/releases/:id/items/:document", h.removeReleaseItem, authn)
	g.POST("/releases/:id/publish", h.publishRelease, authn)
	g.POST("/releases/:id/schedule", h.scheduleRelease, authn)
	g.POST("/releases/:id/unschedule", h.unscheduleRelease, authn)

	g.GET("/webhooks", h.listWebhooks, authn, allow("manage", authz.Webhooks))
	g.POST("/webhooks", h.createWebhook, authn, allow("manage", authz.Webhooks))
	g.DELETE("/webhooks/:id", h.deleteWebhook, authn, allow("manage", authz.Webhooks))
	g.GET("/webhooks/:id/deliveries", h.listWebhookDeliveries, authn, allow("manage", authz.Webhooks))

	// Moving a site in (issue 16): imports run in the background.
	g.POST("/imports", h.startImport, authn, allow("manage", authz.Imports))
	g.GET("/imports/:id", h.getImport, authn, allow("manage", authz.Imports))
	g.GET("/redirects", h.listRedirects, authn, allow("manage", authz.Redirects))
	g.POST("/redirects", h.createRedirect, authn, allow("manage", authz.Redirects))
	g.DELETE("/redirects/:id", h.deleteRedirect, authn, allow("manage", authz.Redirects))
}
