// Package migrations embeds Masthead's versioned SQL migrations: one folder
// per dialect (sqlite, postgres), files numbered in the order they apply.
// Shipped files are never edited; a change is a new file.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// For returns the migrations of one dialect ("sqlite" or "postgres").
func For(dialect string) (fs.FS, error) {
	return fs.Sub(files, dialect)
}
