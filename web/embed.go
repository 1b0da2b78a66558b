// Package web embeds the newsroom UI's templates and static files, so
// that the binary serves them without a build step.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates static
var files embed.FS

// Templates returns the html/template sources.
func Templates() fs.FS {
	sub, _ := fs.Sub(files, "templates") // the directory is embedded, so Sub cannot fail
	return sub
}

// Static returns the static assets (CSS, scripts, vendored libraries).
func Static() fs.FS {
	sub, _ := fs.Sub(files, "static")
	return sub
}
