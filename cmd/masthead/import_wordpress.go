package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/wordpress"
)

// runImportWordPress imports a WordPress export (WXR) through the same
// use cases as the API, as the first admin, and prints the report.
func runImportWordPress(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var opt wordpress.Options
	fs, quiet := importFlags("import wordpress", stderr, &opt, "",
		"a copy of the site's wp-content/uploads")
	fs.BoolVar(&opt.CategoriesAsSeries, "categories-as-series", false, "top-level categories become series")
	file, rest := splitFile(args)
	if err := fs.Parse(rest); err != nil {
		return usageError{err}
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		fs.Usage()
		return usageError{errors.New("import wordpress: give the export file: masthead import wordpress FILE.xml")}
	}
	// The file opens before the database, so that a wrong path changes
	// nothing.
	var f *os.File
	o, err := open(ctx, getenv, stderr, withApp, func(Config) (err error) {
		f, err = os.Open(file)
		return err
	})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return err
	}
	defer o.db.Close()
	return importWXR(ctx, o, "import wordpress", file, f, opt, *quiet, stdout, stderr)
}

// importFlags are the flags both imports take: where documents go, of
// what type, where media come from, a dry run and the progress bar.
func importFlags(name string, stderr io.Writer, opt *wordpress.Options, seriesMore, mediaHelp string) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opt.Series, "series", "", "series the documents go to (default: one named after the site, created)"+seriesMore)
	fs.StringVar(&opt.Type, "type", "article", "content type of posts (pages are \"page\")")
	fs.StringVar(&opt.MediaDir, "media-dir", "", mediaHelp)
	fs.BoolVar(&opt.FetchMedia, "fetch-media", false, "fetch images over HTTP (public addresses only unless MASTHEAD_WEBHOOK_ALLOW_PRIVATE)")
	fs.BoolVar(&opt.DryRun, "dry-run", false, "write nothing; print the report the import would give")
	return fs, fs.Bool("quiet", false, "no progress bar")
}

// importWXR checks the export in f, then imports it as the first admin
// with a progress bar on stderr unless quiet, and prints the report.
func importWXR(ctx context.Context, o opened, cmd, file string, f *os.File, opt wordpress.Options, quiet bool, stdout, stderr io.Writer) error {
	if err := wordpress.Check(f); err != nil {
		return fmt.Errorf("%s: %s: %w (nothing was imported)", cmd, file, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	// A dry run writes nothing, so it needs no account to write as.
	actor, err := cms.System, error(nil)
	if !opt.DryRun {
		if actor, err = importActor(ctx, o); err != nil {
			return err
		}
	}
	if !quiet {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
		opt.Progress = func(done, total int) {
			bar.ChangeMax(total)
			_ = bar.Set(done)
		}
		defer bar.Finish()
	}
	rep, err := o.app.WordPress.Import(ctx, actor, f, opt)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", cmd, file, err)
	}
	rep.Write(stdout)
	return nil
}

// splitFile takes the first argument that is not a flag as the file, so
// that flags may come after it.
func splitFile(args []string) (string, []string) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if len(a) > 0 && a[0] != '-' && (i == 0 || !takesValue(args[i-1])) {
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
	}
	return "", args
}

// takesValue reports whether a flag is one that reads the next argument.
func takesValue(flagArg string) bool {
	switch flagArg {
	case "--series", "-series", "--type", "-type", "--media-dir", "-media-dir", "--site-url", "-site-url":
		return true
	}
	return false
}

// importActor is the first admin, whose the imported documents and media
// become: they need an account to belong to.
func importActor(ctx context.Context, o opened) (cms.Actor, error) {
	a := o.app
	if err := a.EnsureAdmin(ctx, o.cfg.AdminEmail, o.cfg.AdminPassword); err != nil {
		return cms.Actor{}, err
	}
	u, err := a.DB.FindUserByEmail(ctx, o.cfg.AdminEmail)
	if err != nil {
		return cms.Actor{}, fmt.Errorf("import wordpress: the admin %s: %w", o.cfg.AdminEmail, err)
	}
	return cms.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Via: "cli"}, nil
}
