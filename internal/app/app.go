// Package app wires Masthead together: given an open database and a few
// settings it builds the domain services and the HTTP server with every
// API mounted. cmd/masthead calls it after reading the configuration;
// tests call it with a test database, so they exercise the same assembly
// that production runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/masthead-cms/masthead/internal/admin"
	"github.com/masthead-cms/masthead/internal/apidoc"
	"github.com/masthead-cms/masthead/internal/audit"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/delivery"
	"github.com/masthead-cms/masthead/internal/management"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/metrics"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/notify"
	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/release"
	"github.com/masthead-cms/masthead/internal/render"
	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/server"
	"github.com/masthead-cms/masthead/internal/site"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/webhook"
	"github.com/masthead-cms/masthead/internal/wordpress"
	"github.com/masthead-cms/masthead/policies"
)

// Options are the settings the services need.
type Options struct {
	BaseURL    *url.URL
	BodyLimit  int64 // bytes
	SessionTTL time.Duration
	TrustProxy bool
	// CacheControl is sent with public delivery responses.
	CacheControl string
	// ListEmptySeries lists series with nothing live in delivery's series list.
	ListEmptySeries bool
	// SMTPURL is where mail goes (smtp://user:pass@host:port); empty logs
	// mail instead. MailFrom is its sender.
	SMTPURL  string
	MailFrom string
	// MailRate is how many edition mails a second this instance sends (0:
	// no limit); MailConcurrency, how many at once (0: the default).
	MailRate        float64
	MailConcurrency int
	// MediaDir holds uploaded files; UploadLimit is the largest, in bytes.
	// DecodeLimit is the most memory decoding an image may take, and all
	// the images being decoded at once together (0: media's default).
	MediaDir    string
	UploadLimit int64
	// MediaURL, when set, keeps the files in an S3-compatible bucket
	// (s3://bucket?endpoint=…) instead of MediaDir.
	MediaURL    string
	DecodeLimit int64
	// NotificationMail mails notifications to staff besides showing them
	// in the app; off (the zero value, as in tests of other mail) they
	// are in the app only.
	NotificationMail bool
	// WebhookAllowPrivate lets webhooks deliver to loopback, private and
	// link-local addresses (receivers on the newsroom's own network).
	// Off, only public addresses are dialed.
	WebhookAllowPrivate bool
	// SignupsPerAddress and SignupsTotal limit the mailing-list sign-ups
	// from one client address and from everyone; zero takes the
	// newsletter package's defaults.
	SignupsPerAddress newsletter.Limit
	SignupsTotal      newsletter.Limit
	// UnsubscribeMailto is the address List-Unsubscribe offers besides
	// the link; empty offers the link alone.
	UnsubscribeMailto string
	// DKIM, when set, signs the mail sent over SMTP.
	DKIM   *newsletter.DKIM
	Logger *slog.Logger
	// TimeZone is the site's time zone, in which pages print dates (nil:
	// UTC); the delivery API tells front ends its name.
	TimeZone *time.Location
	// PublicURL, when set, is where delivered documents live: a pattern
	// with {series} and {slug} (a front end of the newsroom's own).
	PublicURL string
	// SiteOff turns the built-in reader site off (MASTHEAD_SITE=off): /
	// then points to /admin and the API's documentation. The zero value
	// serves the site, as the setting's default does.
	SiteOff bool
	// Auth overrides auth settings (tests use cheap password hashing).
	Auth auth.Config
	// ThemeDir holds reader-site templates replacing the embedded ones.
	ThemeDir string
	// ListenRetry is the first wait before reconnecting a lost listener
	// of delivery changes (PostgreSQL), doubling after each failure;
	// zero takes published's default. The poll covers the gap.
	ListenRetry time.Duration
	// MetricsToken, when set, serves /metrics on the main router to a
	// scraper that sends it as a bearer token; empty, /metrics is not
	// served there (a listener of its own may serve Metrics).
	MetricsToken string
	// AccessLog logs every request, one line each (off: only failures).
	AccessLog bool
	// Version is the build's version, for masthead_build_info.
	Version string
}

// App is a built Masthead.
type App struct {
	opts       Options
	signingKey []byte // read once; delivery and the mailing lists sign with it
	Log        *slog.Logger
	DB         *store.DB
	Auth       *auth.Service
	Authz      *authz.Enforcer
	Content    *content.Service
	Releases   *release.Service
	Live       *published.Service // what readers get: delivered documents, the cache, previews
	Webhooks   *webhook.Service
	Worker     *webhook.Worker
	Search     *search.Service
	Media      *media.Service
	Newsletter *newsletter.Service
	Mailer     *newsletter.Worker
	// Notify tells people what waits for them, in the app and by mail.
	Notify *notify.Service
	// Audit reads the audit trail.
	Audit    *audit.Service
	Editions *newsletter.Editions
	// Sender mails editions, from its own worker.
	Sender *newsletter.SendWorker
	// WordPress imports WordPress exports.
	WordPress *wordpress.Importer
	UI        *admin.UI
	Site      *site.Site // the reader site
	// Metrics is this instance's Prometheus registry, which /metrics
	// serves; httpMetrics counts the router's requests into it.
	Metrics     *prometheus.Registry
	httpMetrics *server.HTTPMetrics
}

// New migrates db and builds the services on it. The caller owns db.
func New(ctx context.Context, db *store.DB, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BodyLimit == 0 {
		opts.BodyLimit = 8 << 20
	}
	if opts.BaseURL == nil {
		opts.BaseURL, _ = url.Parse("http://localhost:8080")
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	key, err := db.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	a := &App{opts: opts, Log: opts.Logger, DB: db, signingKey: key}
	// Each step builds services whole from what the steps before built:
	// the live content before media (which tells it of attribution
	// changes) and both before content, whose hooks and hero check they
	// are. Live reads documents through a content.Reader rather than the
	// content service, which is what lets it come first.
	steps := []func(context.Context, *store.DB) error{
		a.buildAccess, a.buildLive, a.buildMedia, a.buildContent, a.buildNewsletter, a.buildWebhooks, a.buildImports, a.buildSite, a.buildUI, a.buildMetrics,
	}
	for _, step := range steps {
		if err := step(ctx, db); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// buildAccess sets up accounts and authorization.
func (a *App) buildAccess(ctx context.Context, db *store.DB) error {
	authCfg := a.opts.Auth
	authCfg.SessionTTL = a.opts.SessionTTL
	authCfg.Logger = a.Log
	var err error
	if a.Auth, err = auth.NewService(db, authCfg); err != nil {
		return err
	}
	a.Authz, err = authz.New(ctx, db, policies.Model, policies.Default, a.Log)
	return err
}

// buildLive sets up what readers get: delivered documents rendered in the
// publishing transaction, with the public search index beside them.
func (a *App) buildLive(ctx context.Context, db *store.DB) error {
	var err error
	a.Live, err = published.NewService(db, render.New(a.opts.BaseURL).WithPublicURL(a.opts.PublicURL), published.Config{
		BaseURL: a.opts.BaseURL, Logger: a.Log, Key: a.signingKey,
		Docs: content.NewReader(db, a.Authz), Index: search.LiveIndexer{}, ListenRetry: a.opts.ListenRetry,
	})
	if err != nil {
		return err
	}
	// After an upgrade that changed the delivered shape, or a change of
	// the base URL or the public URL pattern, stored documents are
	// rendered again before this instance serves any.
	n, err := a.Live.RenderOlderShapes(ctx)
	if n > 0 {
		a.Log.Info("rendered delivered documents again, in the current shape and for the current addresses", "documents", n, "shape", render.Shape, "base_url", a.opts.BaseURL.String())
	}
	return err
}

// buildContent sets up the content use cases with every hook of the
// publishing transaction — delivery, the staff index, the webhook outbox,
// the newsletter's edition sends, in that order — and the staff search over them.
func (a *App) buildContent(_ context.Context, db *store.DB) error {
	outbox := webhook.NewOutbox(render.New(a.opts.BaseURL).WithPublicURL(a.opts.PublicURL).URL)
	a.Notify = notify.NewService(db, a.Authz, a.opts.BaseURL, a.opts.NotificationMail)
	a.Content = content.NewService(db, a.Authz, content.Deps{
		Hooks:            []content.Hook{a.Live, search.StaffIndexer{}, outbox, newsletter.EditionHook{}, a.Notify.Hook()},
		HeroExists:       a.Media.Exists,
		HeroAttribution:  heroAttribution,
		ImagesWithoutAlt: render.New(a.opts.BaseURL).ImagesWithoutAlt,
		ActiveUser:       activeUser(db),
		TakenOver:        a.Notify.TakenOver,
	})
	a.Releases = release.NewService(db, a.Content, a.Authz, outbox)
	a.Audit = audit.NewService(db, a.Authz, a.Content)
	a.Search = search.NewService(db, a.Content, a.opts.BaseURL)
	return nil
}

// activeUser finds an active user's name for content's assignments: a
// deactivated user is waited for by nobody.
func activeUser(db *store.DB) func(ctx context.Context, id string) (string, error) {
	return func(ctx context.Context, id string) (string, error) {
		u, err := db.FindUserByID(ctx, id)
		if err != nil {
			return "", err
		}
		if !u.Active {
			return "", cms.NotFound("user")
		}
		return u.Name, nil
	}
}

// heroAttribution reads a hero's alt text and licence for the publish
// gates, in the publishing transaction: the store that tx is holds the
// media assets too.
func heroAttribution(ctx context.Context, tx content.Store, id string) (content.Attribution, error) {
	assets, ok := tx.(interface {
		FindAsset(ctx context.Context, id string) (media.Asset, error)
	})
	if !ok {
		return content.Attribution{}, errors.New("app: the content store holds no media assets")
	}
	a, err := assets.FindAsset(ctx, id)
	return content.Attribution{Alt: a.Alt, Licence: a.Licence}, err
}

// buildWebhooks sets up subscriptions and their delivery.
func (a *App) buildWebhooks(context.Context, *store.DB) error {
	a.Webhooks = webhook.NewService(a.DB)
	a.Worker = webhook.NewWorker(a.DB, webhook.WorkerConfig{AllowPrivate: a.opts.WebhookAllowPrivate, Logger: a.Log})
	return nil
}

// buildImports sets up the WordPress import: media fetched, when asked,
// through the webhooks' address guard.
func (a *App) buildImports(_ context.Context, db *store.DB) error {
	fetch := webhook.NewFetcher(30*time.Second, a.opts.WebhookAllowPrivate)
	base := a.opts.BaseURL.String()
	a.WordPress = wordpress.New(wordpress.Deps{Content: a.Content, Media: a.Media, Store: db, Jobs: db, Logger: a.Log, Fetch: fetch.Fetch,
		MediaURL: func(id string) string { return base + "/media/" + url.PathEscape(id) }})
	return nil
}

// buildUI parses the newsroom UI's templates; its preview draws with
// the reader site's.
func (a *App) buildUI(context.Context, *store.DB) error {
	var err error
	a.UI, err = admin.New(admin.Deps{
		Auth: a.Auth, Authz: a.Authz, Content: a.Content, Live: a.Live, Webhooks: a.Webhooks, Releases: a.Releases,
		Media: a.Media, Search: a.Search, Newsletter: a.Newsletter, Editions: a.Editions, WordPress: a.WordPress, Notify: a.Notify, Audit: a.Audit, SecureCookies: a.opts.BaseURL.Scheme == "https", Logger: a.Log,
		PreviewPage: a.Site.PreviewPage, PreviewPolicy: a.Site.PreviewPolicy(), TimeZone: a.opts.TimeZone,
	})
	return err
}

// buildSite parses the reader site's templates, the theme's included,
// so that a broken one stops the start.
func (a *App) buildSite(context.Context, *store.DB) error {
	var err error
	a.Site, err = site.New(a.Live, a.DB, a.Search.Search, site.Config{
		BaseURL: a.opts.BaseURL, CacheControl: a.opts.CacheControl, Location: a.opts.TimeZone,
		ThemeDir: a.opts.ThemeDir, Logger: a.Log,
	})
	return err
}

// buildMedia sets up uploads: files in MediaDir or the bucket MediaURL
// names, attribution changes re-rendered in delivery.
func (a *App) buildMedia(_ context.Context, db *store.DB) error {
	if a.opts.MediaDir == "" && a.opts.MediaURL == "" {
		return errors.New("app: no media directory")
	}
	if a.opts.UploadLimit == 0 {
		a.opts.UploadLimit = 20 << 20
	}
	blobs, err := media.OpenBlobs(a.opts.MediaURL, a.opts.MediaDir)
	if err != nil {
		return err
	}
	lim := media.Limits{Size: a.opts.UploadLimit, Decoded: a.opts.DecodeLimit}
	a.Media = media.NewService(db, blobs, a.Authz, lim, a.Live.MediaChanged)
	return nil
}

// buildMetrics makes the instance's registry: the database pool, the
// delivery cache, the outboxes and the scheduler, the build, and the
// router's requests.
func (a *App) buildMetrics(_ context.Context, db *store.DB) error {
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	a.Metrics = metrics.NewRegistry(metrics.Sources{
		DB: sqlDB, Ops: db.OpsStats, Cache: a.Live.CacheStats, Version: a.opts.Version, Logger: a.Log,
	})
	a.httpMetrics = server.NewHTTPMetrics(a.Metrics)
	return nil
}

// buildNewsletter sets up the mailing lists and the mail they send.
func (a *App) buildNewsletter(ctx context.Context, db *store.DB) error {
	base := a.opts.BaseURL
	a.Newsletter = newsletter.NewService(db, newsletter.Config{BaseURL: base, Key: a.signingKey,
		PerAddress: a.opts.SignupsPerAddress, Total: a.opts.SignupsTotal,
		UnsubscribeMailto: a.opts.UnsubscribeMailto,
		// Previews and test sends read the settings the series keeps.
		Settings: func(ctx context.Context, sr content.Series) (newsletter.Settings, error) {
			return db.FindSettings(ctx, sr.ID)
		}})
	var sender newsletter.Sender = newsletter.LogSender{Log: a.Log}
	if a.opts.SMTPURL != "" {
		from := a.opts.MailFrom
		if from == "" {
			from = "Masthead <no-reply@" + base.Hostname() + ">"
		}
		var dkim []*newsletter.DKIM
		if a.opts.DKIM != nil {
			dkim = append(dkim, a.opts.DKIM)
		}
		smtp, err := newsletter.NewSMTP(a.opts.SMTPURL, from, dkim...)
		if err != nil {
			return err
		}
		sender = smtp
	}
	a.Mailer = newsletter.NewWorker(db, sender, a.Log)
	a.Editions = newsletter.NewEditions(db, a.Authz)
	a.Sender = newsletter.NewSendWorker(db, a.Newsletter, sender, newsletter.SendConfig{
		Rate: a.opts.MailRate, Concurrency: a.opts.MailConcurrency, Logger: a.Log})
	return nil
}

// EnsureAdmin creates the first admin on an empty database. A generated
// password is logged once; it is never stored in clear.
func (a *App) EnsureAdmin(ctx context.Context, email, password string) error {
	u, generated, created, err := a.Auth.EnsureAdmin(ctx, email, password)
	if err != nil || !created {
		return err
	}
	if err := a.Authz.Assign(ctx, cms.System, authz.Assignment{UserID: u.ID, Role: "admin", Series: authz.AllSeries}); err != nil {
		return fmt.Errorf("app: first admin role: %w", err)
	}
	if generated != "" {
		a.Log.Warn("created the first admin with a random password; it is shown only this once",
			"email", u.Email, "password", generated)
	} else {
		a.Log.Info("created the first admin", "email", u.Email)
	}
	return nil
}

// digestInterval is how often each instance looks for daily digests to
// send: a digest goes out within this of the day's start (UTC), once.
const digestInterval = 5 * time.Minute

// Run starts the background work until ctx ends: the policy refresh,
// the watch of delivery changes made by other instances (heard as they
// commit on PostgreSQL, polled every 250 ms otherwise), the webhook and
// mail workers, and the schedulers that publish due documents. When ctx ends no worker starts new work; the wait it
// returns blocks until each has finished what it holds, for up to grace,
// then cuts off what is still running and waits for it to return.
func (a *App) Run(ctx context.Context, policyRefresh time.Duration) (wait func(grace time.Duration)) {
	work, cutOff := context.WithCancel(context.WithoutCancel(ctx))
	loops := cms.Draining(ctx, work)
	var wg sync.WaitGroup
	start := func(fn func(context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(loops)
		}()
	}
	start(func(ctx context.Context) { a.Authz.Watch(ctx, policyRefresh) })
	start(func(ctx context.Context) { a.Live.Watch(ctx, 250*time.Millisecond) })
	start(a.Worker.Run)
	start(a.Mailer.Run)
	start(a.Sender.Run)
	start(func(ctx context.Context) {
		a.Notify.RunDigests(ctx, digestInterval, func(err error) {
			a.Log.Error("daily digests failed", "err", err)
		})
	})
	start(func(ctx context.Context) {
		a.Content.RunScheduler(ctx, time.Second, func(err error) {
			a.Log.Error("scheduled publishing failed", "err", err)
		})
	})
	start(func(ctx context.Context) {
		a.Releases.RunScheduler(ctx, time.Second, func(err error) {
			a.Log.Error("scheduled release failed", "err", err)
		})
	})
	start(func(ctx context.Context) {
		a.Media.RunSweeper(ctx, time.Hour, media.SweepGrace, func(err error) {
			a.Log.Error("sweeping orphaned media files failed", "err", err)
		})
	})
	return func(grace time.Duration) {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(grace):
			a.Log.Warn("background work still running at the end of the shutdown grace; cutting it off", "grace", grace.String())
			cutOff()
			<-done
		}
		cutOff()
	}
}

// uploadPath and importPath are the routes that take bodies larger than
// JSON's limit: uploads (limited by media), WordPress exports (by the
// import, to wordpress.MaxFileBytes).
const (
	uploadPath      = "/api/v1/media"
	importPath      = "/api/v1/imports"
	adminImportPath = "/admin/imports"
)

// Router builds the HTTP server with every API and the UI mounted.
func (a *App) Router() *echo.Echo {
	e := server.New(server.Config{
		BodyLimit: strconv.FormatInt(max(a.opts.BodyLimit/1024, 1), 10) + "K",
		LimitsOwnBody: func(c echo.Context) bool {
			return c.Request().Method == http.MethodPost && (c.Path() == uploadPath || c.Path() == importPath || c.Path() == adminImportPath)
		},
		Logger:       a.Log,
		Ready:        a.ready,
		Metrics:      a.httpMetrics,
		Gatherer:     a.Metrics,
		MetricsToken: a.opts.MetricsToken,
		AccessLog:    a.opts.AccessLog,
	})
	if a.opts.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	apidoc.Register(e)
	// Old addresses (imported posts', renamed documents') answer 301
	// wherever nothing else answers them.
	e.Use(delivery.OldPaths(a.Live))
	management.Register(e.Group("/api/v1"), management.Deps{
		Auth:          a.Auth,
		Authz:         a.Authz,
		SecureCookies: a.opts.BaseURL.Scheme == "https",
		Content:       a.Content,
		Notify:        a.Notify,
		Audit:         a.Audit,
		Releases:      a.Releases,
		Live:          a.Live,
		Webhooks:      a.Webhooks,
		Search:        a.Search,
		Media:         a.Media,
		Newsletter:    a.Newsletter,
		Editions:      a.Editions,
		WordPress:     a.WordPress,
		UploadLimit:   a.opts.UploadLimit,
	})
	delivery.RegisterMedia(e, a.Media)
	deliveryAPI := e.Group("/delivery/v1")
	reads := delivery.New(a.Live, a.DB, delivery.Config{
		BaseURL: a.opts.BaseURL, CacheControl: a.opts.CacheControl, Logger: a.Log, Key: a.signingKey,
		ListEmptySeries: a.opts.ListEmptySeries, Search: a.search,
		TimeZone: a.timeZone(), ReaderSite: !a.opts.SiteOff, PublicURL: a.opts.PublicURL,
		PreviewPage: a.Site.PreviewPage, PreviewPolicy: a.Site.PreviewPolicy(),
	})
	delivery.Register(deliveryAPI, reads)
	delivery.RegisterPreviewMedia(deliveryAPI, a.Live, a.Media)
	delivery.RegisterSubscribers(deliveryAPI, a.Newsletter)
	delivery.RegisterSitemap(e, reads)
	if a.opts.SiteOff {
		delivery.RegisterNoSite(e)
	}
	a.UI.Register(e)
	if !a.opts.SiteOff {
		site.Register(e, a.Site)
	}
	a.reserveRoutes(e)
	return e
}

// reserveRoutes refuses new series whose slug a registered route takes
// (a series lives at /{series} on the reader site), and reports the
// existing ones, made before the route was.
func (a *App) reserveRoutes(e *echo.Echo) {
	for _, r := range e.Routes() {
		a.Content.ReserveSlugs(r.Path)
	}
	shadowed, err := a.Content.ShadowedSeries(context.Background())
	if err != nil {
		a.Log.Warn("cannot check series slugs against the routes", "err", err)
	}
	for _, slug := range shadowed {
		a.Log.Warn("a series' slug is taken by a route: its page cannot be reached there; create a series under another slug and move its documents",
			"series", slug, "path", "/"+slug)
	}
}

// timeZone is the IANA name of the site's time zone.
func (a *App) timeZone() string {
	if a.opts.TimeZone == nil {
		return "UTC"
	}
	return a.opts.TimeZone.String()
}

// search answers the delivery API's public search.
func (a *App) search(ctx context.Context, q url.Values) (any, error) {
	return a.Search.Search(ctx, search.Params{
		Q: q.Get("q"), Series: q.Get("series"), Type: q.Get("type"), Topic: q.Get("topic"), Year: q.Get("year"),
		Limit: q.Get("limit"), Cursor: q.Get("cursor"), Facets: q.Get("facets"),
	})
}

// ready is true when the database answers, every migration is applied
// and blob storage answers.
func (a *App) ready(ctx context.Context) error {
	if err := a.dbReady(ctx); err != nil {
		return err
	}
	if err := a.Media.Ping(ctx); err != nil {
		a.Log.Warn("blob storage unreachable", "err", err)
		return errors.New("blob storage unreachable")
	}
	return nil
}

// dbReady is true when the database answers and every migration is applied.
func (a *App) dbReady(ctx context.Context) error {
	if err := a.DB.Ping(ctx); err != nil {
		return errors.New("database unreachable")
	}
	pending, err := a.DB.HasPendingMigrations(ctx)
	if err != nil {
		return errors.New("cannot read migration state")
	}
	if pending {
		return errors.New("migrations pending")
	}
	return nil
}
