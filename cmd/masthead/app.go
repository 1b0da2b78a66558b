package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/policies"
)

// app holds the services every command builds from the configuration.
type app struct {
	cfg   Config
	log   *slog.Logger
	db    *store.DB
	auth  *auth.Service
	authz *authz.Enforcer
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openApp opens and migrates the database and builds the domain services.
func openApp(ctx context.Context, cfg Config, log *slog.Logger) (*app, error) {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db}
	if err := a.build(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) build(ctx context.Context) error {
	start := time.Now()
	if err := a.db.Migrate(ctx); err != nil {
		return err
	}
	a.log.Debug("migrations applied", "dialect", a.db.Dialect(), "took", time.Since(start))
	var err error
	if a.auth, err = auth.NewService(a.db, auth.Config{SessionTTL: a.cfg.SessionTTL}); err != nil {
		return err
	}
	if a.authz, err = authz.New(ctx, a.db, policies.Model, policies.Default, a.log); err != nil {
		return err
	}
	return nil
}

func (a *app) close() error { return a.db.Close() }

// ensureAdmin creates the first admin on an empty database. A generated
// password is printed once; it is never stored in clear.
func (a *app) ensureAdmin(ctx context.Context) error {
	u, generated, created, err := a.auth.EnsureAdmin(ctx, a.cfg.AdminEmail, a.cfg.AdminPassword)
	if err != nil || !created {
		return err
	}
	if err := a.authz.Assign(ctx, cms.System, authz.Assignment{UserID: u.ID, Role: "admin", Series: authz.AllSeries}); err != nil {
		return fmt.Errorf("first admin role: %w", err)
	}
	if generated != "" {
		a.log.Warn("created the first admin with a random password; it is shown only this once",
			"email", u.Email, "password", generated)
	} else {
		a.log.Info("created the first admin", "email", u.Email)
	}
	return nil
}

// openStore opens the database without building services, for commands
// that only need the schema.
func openStore(ctx context.Context, cfg Config) (*store.DB, error) {
	return store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
}
