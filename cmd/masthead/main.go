// Command masthead is the Masthead headless CMS: one binary that serves the
// management API, the delivery API and the newsroom UI, and runs the
// migrations and administrative commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// MASTHEAD_TIMEZONE names a zone; the binary carries the zone database
	// so that a container without /usr/share/zoneinfo still knows it.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "masthead:", err)
		os.Exit(exitCode(err))
	}
}

// usageError is a mistake in the command line or the configuration: the
// program stops with status 2 before starting anything.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ue usageError
	var ce *configError
	if errors.As(err, &ue) || errors.As(err, &ce) {
		return 2
	}
	return 1
}

const usage = `usage: masthead [command] [flags]

commands:
  serve                 run the server (the default)
  migrate [--status]    apply pending migrations, or list them
  user create --email E --name N [--role ROLE[:SERIES]]
                        create a user; the password is read from stdin
  demo [--password P]   load the demo newsroom into an empty database
  reindex               rebuild the public search index from live documents
  backup --out FILE     write a consistent copy of the SQLite database (PostgreSQL: use pg_dump)
  export --out FILE [--media=false]
                        write content, accounts and media as NDJSON (FILE "-": stdout)
  import --in FILE      load an export into an empty database, SQLite or PostgreSQL
  media migrate --to s3://BUCKET?…
                        copy every media file from the local folder to a bucket,
                        checked; then set MASTHEAD_MEDIA_URL to it
  media variants        make the resized copies and social crop of every image
                        that has none (stored before they existed, or imported)
  import wordpress FILE.xml [--series SLUG] [--type article] [--media-dir DIR]
                        [--fetch-media] [--dry-run] [--categories-as-series]
                        import a WordPress export (WXR), repeatably: dates, authors,
                        terms, media and old URLs (as redirects)
  import ghost FILE.json [--site-url URL] [--series SLUG] [--members] [--media-dir DIR]
                        [--fetch-media] [--dry-run]
                        import a Ghost export the same way; --members adds its
                        newsletter's members to --series, pending
  version               print the version

Configuration comes from MASTHEAD_* environment variables; see README.md.
`

// run is the whole program, with its surroundings passed in so that tests
// can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stderr)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, args, getenv, stdin, stdout, stderr)
	case "demo":
		return runDemo(ctx, args, getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, args, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, args, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args, getenv, stdin, stdout, stderr)
	case "reindex":
		return runReindex(ctx, args, getenv, stdout, stderr)
	case "media":
		return runMedia(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "masthead", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return usageError{fmt.Errorf("unknown command %q", cmd)}
	}
}
