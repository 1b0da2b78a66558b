package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/management"
	"github.com/masthead-cms/masthead/internal/server"
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
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.ensureAdmin(ctx); err != nil {
		return err
	}
	go a.authz.Watch(ctx, cfg.PolicyRefresh)
	e := a.router()
	log.Info("masthead listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL.String(), "database", a.db.Dialect())
	err = server.Serve(ctx, e, ln, 20*time.Second)
	log.Info("masthead stopped")
	return err
}

// router builds the HTTP server with every API mounted.
func (a *app) router() *echo.Echo {
	e := server.New(server.Config{
		BodyLimit: strconv.FormatInt(a.cfg.BodyLimit/1024, 10) + "K",
		Logger:    a.log,
		Ready:     a.ready,
	})
	if a.cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	management.Register(e.Group("/api/v1"), management.Deps{
		Auth:          a.auth,
		Authz:         a.authz,
		SecureCookies: a.cfg.BaseURL.Scheme == "https",
		SeriesExists: func(ctx context.Context, slug string) error {
			return cms.Invalid("series", "no such series")
		},
	})
	return e
}

// ready is true when the database answers and every migration is applied.
func (a *app) ready(ctx context.Context) error {
	if err := a.db.Ping(ctx); err != nil {
		return errors.New("database unreachable")
	}
	pending, err := a.db.HasPendingMigrations(ctx)
	if err != nil {
		return errors.New("cannot read migration state")
	}
	if pending {
		return errors.New("migrations pending")
	}
	return nil
}
