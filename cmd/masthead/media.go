package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/masthead-cms/masthead/internal/media"
)

// runMedia is `masthead media migrate --to s3://…`: every asset's file is
// copied from the local media folder to the bucket and read back there to
// check its SHA-256. It changes no setting and no row: the instances keep
// reading the folder until the operator sets MASTHEAD_MEDIA_URL, which
// it prints once every file is there.
func runMedia(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "variants" {
		return runMediaVariants(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "migrate" {
		return usageError{errors.New(`media: want "media migrate --to s3://…" or "media variants"`)}
	}
	fs := flag.NewFlagSet("media migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "the bucket to copy to, as MASTHEAD_MEDIA_URL names one (s3://BUCKET?endpoint=…)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if *to == "" {
		fs.Usage()
		return usageError{errors.New("media migrate: --to is required")}
	}
	target, err := media.OpenBucket(*to)
	if err != nil {
		return usageError{err}
	}
	o, err := open(ctx, getenv, stderr, migrated, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	source, err := media.NewFolder(mediaDir(o.cfg))
	if err != nil {
		return err
	}
	if err := target.Ping(ctx); err != nil {
		return err
	}
	res, err := media.Migrate(ctx, o.db, source, target)
	if err != nil {
		return fmt.Errorf("%w\nnothing was switched: the instances still read %s", err, source)
	}
	fmt.Fprintf(stdout, "copied and checked %d media files (%d bytes) to %s\nnow set on every instance, then restart them:\n  MASTHEAD_MEDIA_URL=%s\n",
		res.Files, res.Bytes, target, *to)
	return nil
}

// runMediaVariants is `masthead media variants`: every image stored
// before variants existed (or imported from an export, which carries
// originals only) gets its widths and social crop, stored where its
// original is, and the live documents showing it are rendered again, so
// that their heroes list the variants. It is safe to run again: an asset
// with variants is left alone.
func runMediaVariants(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("media variants", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	o, err := open(ctx, getenv, stderr, withApp, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	res, err := o.app.Media.Backfill(ctx, func(a media.Asset) error { return o.app.Live.MediaChanged(ctx, a.ID) })
	fmt.Fprintf(stdout, "made %d variants of %d images\n", res.Variants, res.Assets)
	return err
}
