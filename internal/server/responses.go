package server

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/published"
)

// WriteCached sends a cached response with its validators: a strong ETag,
// 304 on a matching If-None-Match, gzip when the client accepts it. The
// delivery API's JSON and the reader site's pages go out through it alike.
func WriteCached(c echo.Context, v *published.Cached, cacheControl string) error {
	h := c.Response().Header()
	body, length, etag := v.Body, v.BodyLength, v.ETag
	if v.Gzip != nil && acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body, length, etag = v.Gzip, v.GzipLength, v.GzipETag
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	h.Add("Vary", "Accept-Encoding")
	if matchesETag(c.Request().Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		return c.NoContent(http.StatusNotModified)
	}
	// A known length spares net/http the chunked encoding it falls back to
	// for bodies over 2 KB (most documents, every list page).
	h.Set("Content-Length", length)
	return c.Blob(http.StatusOK, v.ContentType, body)
}

func matchesETag(header, etag string) bool {
	if header == "" {
		return false
	}
	for candidate := range strings.SplitSeq(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == etag || candidate == "*" {
			return true
		}
	}
	return false
}

func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(q, 64)
			return err == nil && f > 0
		}
		return true
	}
	return false
}

// CSVDownload is a writer that answers with a CSV attachment's headers at
// its first byte, named filename: a refusal found before any (no right to
// the list, no such series) is still an ordinary error answer. An error
// once bytes went out can only cut the download short.
func CSVDownload(c echo.Context, filename string) io.Writer {
	return &csvDownload{c: c, filename: filename}
}

type csvDownload struct {
	c        echo.Context
	filename string
}

func (d *csvDownload) Write(p []byte) (int, error) {
	r := d.c.Response()
	if !r.Committed {
		r.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		r.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+url.PathEscape(d.filename)+`"`)
		r.Header().Set(echo.HeaderCacheControl, "no-store")
		r.WriteHeader(http.StatusOK)
	}
	return r.Write(p)
}
