package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/store"
)

// openMode is how far the prologue opens the database.
type openMode int

const (
	// asIs opens the database as it is, unmigrated: what migrate --status,
	// backup and export read.
	asIs openMode = iota
	// migrated brings the schema up to this build's first (migrate, import).
	migrated
	// withApp migrates and builds every service on the store (serve, demo,
	// user create, reindex).
	withApp
)

// opened is what a command works with once the prologue has run. The
// command closes db.
type opened struct {
	cfg Config
	log *slog.Logger
	db  *store.DB
	app *app.App // only withApp
}

// open is every command's prologue, after it parsed its flags: it loads
// and validates the configuration, makes the logger, and opens the store
// as far as mode says. first, when not nil, runs between the
// configuration and the database (serve listens there, so that a taken
// port fails before anything else is opened).
func open(ctx context.Context, getenv func(string) string, stderr io.Writer, mode openMode, first func(Config) error) (opened, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return opened{}, err
	}
	o := opened{cfg: cfg, log: newLogger(cfg, stderr)}
	if first != nil {
		if err := first(cfg); err != nil {
			return opened{}, err
		}
	}
	if mode == withApp {
		o.app, o.db, err = openApp(ctx, cfg, o.log)
		return o, err
	}
	if o.db, err = openStore(ctx, cfg); err != nil {
		return opened{}, err
	}
	if mode == migrated {
		if err := o.db.Migrate(ctx); err != nil {
			o.db.Close()
			return opened{}, err
		}
	}
	return o, nil
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens the configured database without migrating it.
func openStore(ctx context.Context, cfg Config) (*store.DB, error) {
	return store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
}

// openApp opens and migrates the database and builds the services.
func openApp(ctx context.Context, cfg Config, log *slog.Logger) (*app.App, *store.DB, error) {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.New(ctx, db, app.Options{
		BaseURL:             cfg.BaseURL,
		BodyLimit:           cfg.BodyLimit,
		SessionTTL:          cfg.SessionTTL,
		TrustProxy:          cfg.TrustProxy,
		CacheControl:        cfg.CacheControl,
		ListEmptySeries:     cfg.ListEmptySeries,
		ThemeDir:            cfg.ThemeDir,
		MediaDir:            mediaDir(cfg),
		MediaURL:            cfg.MediaURL,
		UploadLimit:         cfg.UploadLimit,
		DecodeLimit:         cfg.DecodeLimit,
		SMTPURL:             cfg.SMTPURL,
		MailFrom:            cfg.MailFrom,
		UnsubscribeMailto:   cfg.UnsubscribeMailto,
		DKIM:                cfg.DKIM,
		MailRate:            cfg.MailRate,
		MailConcurrency:     cfg.MailConcurrency,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		SignupsPerAddress:   cfg.SignupsPerAddress,
		SignupsTotal:        cfg.SignupsTotal,
		TimeZone:            cfg.TimeZone,
		PublicURL:           cfg.PublicURL,
		SiteOff:             !cfg.Site,
		NotificationMail:    cfg.NotificationMail,
		MetricsToken:        cfg.MetricsToken,
		AccessLog:           cfg.AccessLog,
		Version:             version,
		Logger:              log,
	})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return a, db, nil
}
