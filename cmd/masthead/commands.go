package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	status := fs.Bool("status", false, "list applied and pending migrations instead of applying them")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	mode := migrated
	if *status {
		mode = asIs
	}
	o, err := open(ctx, getenv, stderr, mode, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	list, err := o.db.Migrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range list {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(stdout, "%05d  %-8s %s\n", m.Version, state, m.Name)
	}
	return nil
}

func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New(`user: want "user create"`)}
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", "", "role to grant, as ROLE or ROLE:SERIES (default series: all)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if *email == "" || *name == "" {
		fs.Usage()
		return usageError{errors.New("user create: --email and --name are required")}
	}
	assignment, err := parseRole(*role)
	if err != nil {
		return usageError{err}
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	o, err := open(ctx, getenv, stderr, withApp, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	a := o.app
	if assignment != nil && assignment.Series != authz.AllSeries {
		if _, err := a.Content.Series(ctx, assignment.Series); err != nil {
			return fmt.Errorf("--role: series %q: %w", assignment.Series, err)
		}
	}
	u, err := a.Auth.CreateUser(ctx, cms.System, auth.NewUser{Email: *email, Name: *name, Password: password})
	if err != nil {
		return err
	}
	if assignment != nil {
		assignment.UserID = u.ID
		if err := a.Authz.Assign(ctx, cms.System, *assignment); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "created user %s <%s> id=%s\n", u.Name, u.Email, u.ID)
	return nil
}

// parseRole reads ROLE or ROLE:SERIES.
func parseRole(s string) (*authz.Assignment, error) {
	if s == "" {
		return nil, nil
	}
	role, series, found := strings.Cut(s, ":")
	if !found || series == "" {
		series = authz.AllSeries
	}
	if err := authz.ValidateRole(role); err != nil {
		return nil, fmt.Errorf("--role: %w", err)
	}
	return &authz.Assignment{Role: role, Series: series}, nil
}

// readPassword reads the first line of stdin, so that passwords stay out
// of the process list and shell history.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", usageError{errors.New("user create: write the password to stdin")}
	}
	return password, nil
}

func runReindex(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	o, err := open(ctx, getenv, stderr, withApp, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	a := o.app
	n, err := a.Search.Reindex(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "indexed %d live documents\n", n)
	return nil
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file to write the copy to (must not exist)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *out == "" {
		fs.Usage()
		return usageError{errors.New("backup: --out is required")}
	}
	o, err := open(ctx, getenv, stderr, asIs, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	if err := o.db.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (media files are in %s)\n", *out, mediaDir(o.cfg))
	return nil
}
