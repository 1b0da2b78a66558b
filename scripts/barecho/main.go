// Command barecho is the yardstick of scripts/bench-delivery: Echo with no
// middleware and one route that returns, from memory, the exact bytes a
// running Masthead delivers for one document. SPEC §8 measures delivery
// against it. It is not part of the product.
//
//	go run ./scripts/barecho -fetch http://127.0.0.1:8080/delivery/v1/documents/korea-view/x -addr 127.0.0.1:8081
//
// It serves the bytes at every path.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
)

func main() {
	fetch := flag.String("fetch", "", "URL of the delivered document to copy (required)")
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	if err := run(*fetch, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "barecho:", err)
		os.Exit(1)
	}
}

func run(fetch, addr string) error {
	resp, err := http.Get(fetch)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", fetch, resp.StatusCode, body)
	}
	contentType := resp.Header.Get("Content-Type")
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/*", func(c echo.Context) error { return c.Blob(http.StatusOK, contentType, body) })
	// The same server settings as Masthead's, so only the handlers differ.
	srv := &http.Server{
		Addr:              addr,
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(os.Stderr, "barecho: serving %d bytes on %s\n", len(body), addr)
	return srv.ListenAndServe()
}
