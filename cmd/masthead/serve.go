package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
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
	var ln net.Listener
	defer func() {
		if ln != nil {
			ln.Close()
		}
	}()
	// Listen before opening the database, so that a taken port fails fast.
	listen := func(cfg Config) (err error) {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return &configError{"MASTHEAD_ADDR", err.Error()}
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
	a.Run(ctx, cfg.PolicyRefresh)
	log.Info("masthead listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL.String(), "database", o.db.Dialect())
	err = server.Serve(ctx, a.Router(), ln, 20*time.Second)
	log.Info("masthead stopped")
	return err
}
