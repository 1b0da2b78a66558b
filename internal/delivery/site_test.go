package delivery_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

type siteInfo struct {
	BaseURL     string `json:"base_url"`
	TimeZone    string `json:"time_zone"`
	ReaderSite  bool   `json:"reader_site"`
	DocumentURL string `json:"document_url"`
}

// TestSiteTellsFrontEndsItsSettings reads GET /delivery/v1/site with the
// defaults (UTC, the reader site on, documents at the base URL) and with
// a time zone, a public URL and the site off — where / is then a page
// pointing to /admin and the API's description.
func TestSiteTellsFrontEndsItsSettings(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		var got siteInfo
		r := env.Anonymous().Do("GET", "/delivery/v1/site", nil).Want(http.StatusOK)
		r.Decode(&got)
		if got != (siteInfo{siteBase, "UTC", true, siteBase + "/{series}/{slug}"}) {
			t.Errorf("defaults: %+v", got)
		}
		env.Anonymous().Do("GET", "/delivery/v1/site", nil, "If-None-Match", r.Header.Get("ETag")).Want(http.StatusNotModified)

		seoul, err := time.LoadLocation("Asia/Seoul")
		if err != nil {
			t.Fatal(err)
		}
		off := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.TimeZone, o.SiteOff, o.PublicURL = seoul, true, "https://www.example.org/{series}/{slug}"
		}})
		anon := off.Anonymous()
		anon.Do("GET", "/delivery/v1/site", nil).Want(http.StatusOK).Decode(&got)
		if got != (siteInfo{siteBase, "Asia/Seoul", false, "https://www.example.org/{series}/{slug}"}) {
			t.Errorf("set: %+v", got)
		}
		home := anon.Do("GET", "/", nil).Want(http.StatusOK)
		if ct := home.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") ||
			!strings.Contains(string(home.Body), `href="/admin"`) || !strings.Contains(string(home.Body), `href="/api/openapi.json"`) {
			t.Errorf("/ with the site off: %s %s", ct, home.Body)
		}
	})
}
