// Command barecho is the yardstick of scripts/bench-delivery: a server
// with no framework and no middleware that returns, from memory, the
// exact bytes a running Masthead delivers for one URL — plain, gzipped
// when the client accepts gzip, and 304 on a matching If-None-Match, with
// the same ETag, Cache-Control, Vary, Content-Type and Content-Length —
// so that the two servers differ only in what Masthead does per request.
// SPEC §8 and issue 17 measure delivery against it. It is not part of
// the product.
//
//	go run ./scripts/barecho -fetch http://127.0.0.1:8080/delivery/v1/documents/korea-view/x -addr 127.0.0.1:8081
//
// It serves the bytes at every path: bare net/http by default, bare Echo
// (one route, no middleware) with -echo.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

func main() {
	fetch := flag.String("fetch", "", "URL of the delivered response to copy (required)")
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	withEcho := flag.Bool("echo", false, "serve through Echo (one route, no middleware) instead of bare net/http")
	flag.Parse()
	if err := run(*fetch, *addr, *withEcho); err != nil {
		fmt.Fprintln(os.Stderr, "barecho:", err)
		os.Exit(1)
	}
}

// copied is one representation of the response.
type copied struct {
	body                          []byte
	etag, encoding, contentLength []string
}

func get(url, acceptEncoding string) (copied, http.Header, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return copied{}, nil, err
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding) // set by hand: the client leaves the body compressed
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return copied{}, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return copied{}, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return copied{}, nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	c := copied{body: body, etag: resp.Header.Values("ETag"), contentLength: []string{fmt.Sprint(len(body))}}
	if v := resp.Header.Values("Content-Encoding"); len(v) > 0 {
		c.encoding = v
	}
	return c, resp.Header, nil
}

func run(fetch, addr string, withEcho bool) error {
	plain, h, err := get(fetch, "")
	if err != nil {
		return err
	}
	gz, _, err := get(fetch, "gzip")
	if err != nil {
		return err
	}
	if gz.encoding == nil {
		gz = plain // too small to be compressed
	}
	contentType, cacheControl, vary := h.Values("Content-Type"), h.Values("Cache-Control"), h.Values("Vary")
	serve := func(w http.ResponseWriter, r *http.Request) {
		c := plain
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			c = gz
		}
		wh := w.Header()
		wh["Etag"], wh["Cache-Control"], wh["Vary"] = c.etag, cacheControl, vary
		if inm := r.Header.Get("If-None-Match"); inm != "" && len(c.etag) > 0 && inm == c.etag[0] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		wh["Content-Type"], wh["Content-Length"] = contentType, c.contentLength
		if c.encoding != nil {
			wh["Content-Encoding"] = c.encoding
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(c.body)
	}
	var handler http.Handler = http.HandlerFunc(serve)
	if withEcho {
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		e.GET("/*", echo.WrapHandler(handler))
		handler = e
	}
	// The same server settings as Masthead's, so only the handlers differ.
	srv := &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(os.Stderr, "barecho: serving %d bytes (%d gzipped) on %s\n", len(plain.body), len(gz.body), addr)
	return srv.ListenAndServe()
}
