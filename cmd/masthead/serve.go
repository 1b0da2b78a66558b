package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/server"
	"github.com/masthead-cms/masthead/internal/store"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("serve takes no arguments, got %q", fs.Args())}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	// Listen before opening the database, so that a taken port fails fast.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return &configError{"MASTHEAD_ADDR", err.Error()}
	}
	defer ln.Close()
	a, db, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close() // after the server has drained
	if err := a.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword); err != nil {
		return err
	}
	a.Run(ctx, cfg.PolicyRefresh)
	log.Info("masthead listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL.String(), "database", db.Dialect())
	err = server.Serve(ctx, a.Router(), ln, 20*time.Second)
	log.Info("masthead stopped")
	return err
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
		MediaDir:            filepath.Join(cfg.DataDir, "media"),
		UploadLimit:         cfg.UploadLimit,
		DecodeLimit:         cfg.DecodeLimit,
		SMTPURL:             cfg.SMTPURL,
		MailFrom:            cfg.MailFrom,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		SignupsPerAddress:   cfg.SignupsPerAddress,
		SignupsTotal:        cfg.SignupsTotal,
		Logger:              log,
	})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return a, db, nil
}
