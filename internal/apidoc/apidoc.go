// Package apidoc serves the OpenAPI 3.1 description of Masthead's APIs,
// written by hand in openapi.json and kept true by a test that compares it
// with the router's routes.
package apidoc

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Document is the OpenAPI document.
//
//go:embed openapi.json
var Document []byte

// Register serves the document at /api/openapi.json.
func Register(e *echo.Echo) {
	e.GET("/api/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/json", Document)
	})
}
