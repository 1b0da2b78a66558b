package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"time"

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
	var ln, metricsLn net.Listener
	defer func() {
		for _, l := range []net.Listener{ln, metricsLn} {
			if l != nil {
				l.Close()
			}
		}
	}()
	// Listen before opening the database, so that a taken port fails fast.
	listen := func(cfg Config) (err error) {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return &configError{"MASTHEAD_ADDR", err.Error()}
		}
		if cfg.MetricsAddr != "" {
			if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
				return &configError{"MASTHEAD_METRICS_ADDR", err.Error()}
			}
		}
		return nil
	}
	// The log goes out buffered: a request's line costs it a copy into
	// memory, not a write (README, "Logging").
	logOut := newBufferedLog(stderr, 100*time.Millisecond)
	defer logOut.Close()
	o, err := open(ctx, getenv, logOut, withApp, listen)
	if err != nil {
		return err
	}
	defer o.db.Close() // after the server has drained
	a, cfg, log := o.app, o.cfg, o.log
	if err := a.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword); err != nil {
		return err
	}
	// Starting may have hashed a password with argon2id (the first
	// admin's): 64 MB that were live at a collection, which left the
	// next one due only once the heap had grown past twice that.
	// Collecting now sets the pace by what the server really holds, so
	// that the first edition or import does not spread into 130 MB.
	debug.FreeOSMemory()
	// On SIGTERM or SIGINT (ctx ends): the listener closes, requests
	// under way finish, and the workers finish the jobs they leased, all
	// within the shutdown timeout, counted from the signal.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	waitWorkers := a.Run(ctx, cfg.PolicyRefresh)
	workersDone := make(chan struct{})
	go func() {
		<-ctx.Done()
		waitWorkers(cfg.ShutdownTimeout)
		close(workersDone)
	}()
	if metricsLn != nil {
		ms := server.MetricsServer(a.Metrics)
		go func() {
			if err := ms.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener failed", "err", err)
			}
		}()
		defer ms.Close()
		log.Info("metrics listening", "addr", metricsLn.Addr().String())
	}
	log.Info("masthead listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL.String(), "database", o.db.Dialect())
	err = server.Serve(ctx, a.Router(), ln, cfg.ShutdownTimeout)
	stop() // when the server failed by itself, the workers stop too
	<-workersDone
	log.Info("masthead stopped")
	return err
}
