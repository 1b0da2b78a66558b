package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/masthead-cms/masthead/internal/ghost"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/wordpress"
)

// runImportGhost imports a Ghost export (JSON): it is written out as a
// WordPress export and imported as one, so both move in the same way.
// With --members, the site's members who take its newsletter join the
// --series list as pending subscribers, their consent recorded as
// imported: they get no edition until they confirm.
func runImportGhost(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var opt wordpress.Options
	fs, quiet := importFlags("import ghost", stderr, &opt, "; with --members, a newsletter series",
		"the Ghost folder that holds content/images")
	siteURL := fs.String("site-url", "http://localhost:2368", "the Ghost site's address: old links and images are under it")
	members := fs.Bool("members", false, "add the members who take the newsletter to the --series list, pending")
	file, rest := splitFile(args)
	if err := fs.Parse(rest); err != nil {
		return usageError{err}
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	switch {
	case file == "":
		fs.Usage()
		return usageError{errors.New("import ghost: give the export file: masthead import ghost FILE.json")}
	case *members && opt.Series == "":
		return usageError{errors.New("import ghost: --members needs --series, the newsletter whose list they join")}
	}
	// The export is read and checked before the database opens, so that
	// a wrong file changes nothing.
	var export *ghost.Export
	o, err := open(ctx, getenv, stderr, withApp, func(Config) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		if export, err = ghost.Read(f); err != nil {
			return fmt.Errorf("import ghost: %s: %w (nothing was imported)", file, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer o.db.Close()
	wxr, err := ghostAsWXR(export, *siteURL)
	if err != nil {
		return err
	}
	defer os.Remove(wxr.Name())
	defer wxr.Close()
	if err := importWXR(ctx, o, "import ghost", file, wxr, opt, *quiet, stdout, stderr); err != nil {
		return err
	}
	if !*members {
		return nil
	}
	return importMembers(ctx, o, export, opt, file, stdout)
}

// ghostAsWXR writes the export as a WordPress export to a temporary file.
func ghostAsWXR(e *ghost.Export, siteURL string) (*os.File, error) {
	f, err := os.CreateTemp("", "masthead-ghost-*.xml")
	if err != nil {
		return nil, err
	}
	if err := ghost.WriteWXR(e, ghost.Options{SiteURL: siteURL}, f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("import ghost: %w", err)
	}
	_, err = f.Seek(0, io.SeekStart)
	return f, err
}

// importMembers adds the members who take the newsletter to the series'
// list as pending subscribers.
func importMembers(ctx context.Context, o opened, e *ghost.Export, opt wordpress.Options, file string, stdout io.Writer) error {
	var list strings.Builder
	w := csv.NewWriter(&list)
	_ = w.Write([]string{"email"})
	for _, m := range e.Members {
		if m.Subscribed == nil || *m.Subscribed {
			_ = w.Write([]string{m.Email})
		}
	}
	w.Flush()
	basis := "imported from the Ghost export " + file + " (consent given on Ghost, not confirmed here)"
	if opt.DryRun {
		fmt.Fprintf(stdout, "members: %d would join %s, pending (dry run)\n", strings.Count(list.String(), "\n")-1, opt.Series)
		return nil
	}
	actor, err := importActor(ctx, o)
	if err != nil {
		return err
	}
	rep, err := o.app.Editions.ImportSubscribers(ctx, actor, newsletter.ImportRequest{
		Series: opt.Series, Basis: basis, CSV: strings.NewReader(list.String()), Pending: true})
	if err != nil {
		return fmt.Errorf("import ghost: members: %w", err)
	}
	fmt.Fprintf(stdout, "members: %d added to %s as pending, %d skipped, %d refused\n", rep.Added, opt.Series, rep.Skipped, rep.Refused)
	for _, r := range rep.Rows {
		fmt.Fprintf(stdout, "  row %d: %s: %s\n", r.Row, r.Result, r.Reason)
	}
	return nil
}
