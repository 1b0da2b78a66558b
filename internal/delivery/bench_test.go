package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// benchDocuments is how many published briefings the delivery benchmarks
// read among, as in scripts/bench-delivery.
const benchDocuments = 1000

// BenchmarkDelivery measures the delivery handlers through the real router
// (every middleware included) against a bare Echo handler that returns the
// same bytes: SPEC §8 wants one document at 70% of the bare handler's
// throughput. The database is seeded once, through the content service,
// before the sub-benchmarks run; nothing here runs without -bench.
//
//	go test ./internal/delivery -run '^$' -bench Delivery -benchmem
func BenchmarkDelivery(b *testing.B) {
	for _, backend := range storetest.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) {
			env := apptest.New(b, backend.Open(b))
			slug := seedBriefings(b, env, benchDocuments)
			benchmarkRoutes(b, env, "/delivery/v1/documents/korea-view/"+slug)
		})
	}
}

func benchmarkRoutes(b *testing.B, env *apptest.Env, docPath string) {
	router := env.App.Router()
	warm := serveOnce(router, httptest.NewRequest(http.MethodGet, docPath, nil))
	if warm.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", docPath, warm.Code, warm.Body)
	}
	body, etag := warm.Body.Bytes(), warm.Header().Get("ETag")
	list := "/delivery/v1/documents?series=korea-view&limit=25"
	if r := serveOnce(router, httptest.NewRequest(http.MethodGet, list, nil)); r.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", list, r.Code, r.Body)
	}

	b.Run("document", func(b *testing.B) { benchGet(b, router, docPath, http.StatusOK) })
	b.Run("document-gzip", func(b *testing.B) {
		benchGet(b, router, docPath, http.StatusOK, "Accept-Encoding", "gzip")
	})
	b.Run("document-304", func(b *testing.B) {
		benchGet(b, router, docPath, http.StatusNotModified, "If-None-Match", etag)
	})
	b.Run("list-25", func(b *testing.B) { benchGet(b, router, list, http.StatusOK) })
	b.Run("bare-echo", func(b *testing.B) { benchGet(b, bareEcho(body), "/doc", http.StatusOK) })
}

// bareEcho is the yardstick: Echo with no middleware, one route, the
// document's bytes.
func bareEcho(body []byte) *echo.Echo {
	e := echo.New()
	e.GET("/doc", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/json", body) })
	return e
}

func serveOnce(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// benchGet serves the same GET b.N times; headers come in pairs.
func benchGet(b *testing.B, h http.Handler, path string, want int, headers ...string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
}

// seedBriefings publishes n briefings in the korea-view series the way a
// newsroom does — an author writes and submits, an editor approves, a
// publisher publishes — through the content service, and returns the slug
// of the one in the middle.
func seedBriefings(b *testing.B, env *apptest.Env, n int) string {
	b.Helper()
	start := time.Now()
	ctx := context.Background()
	admin := cms.System
	name, kind := "Korea View", "newsletter"
	if _, err := env.App.Content.CreateSeries(ctx, admin, content.SeriesInput{Slug: "korea-view", Name: &name, Kind: &kind}); err != nil {
		b.Fatal(err)
	}
	writer := "Yong Kwon"
	if _, err := env.App.Content.CreateContributor(ctx, admin, content.ContributorInput{Name: &writer}); err != nil {
		b.Fatal(err)
	}
	author, editor, publisher := benchUser(b, env, "author"), benchUser(b, env, "editor"), benchUser(b, env, "publisher")
	middle := ""
	for i := range n {
		d, err := env.App.Content.CreateDocument(ctx, author, benchBriefing(i))
		if err != nil {
			b.Fatalf("create %d: %v", i, err)
		}
		for _, step := range []struct {
			actor  cms.Actor
			action string
		}{{author, "submit"}, {editor, "approve"}, {publisher, "publish"}} {
			if _, err := env.App.Content.Transition(ctx, step.actor, d.ID, content.TransitionRequest{Action: step.action}, nil); err != nil {
				b.Fatalf("%s %d: %v", step.action, i, err)
			}
		}
		if i == n/2 {
			middle = d.Slug
		}
	}
	b.Logf("seeded %d published briefings in %v", n, time.Since(start).Round(time.Millisecond))
	return middle
}

func benchUser(b *testing.B, env *apptest.Env, role string) cms.Actor {
	ctx := context.Background()
	email := role + "@bench.example.org"
	u, err := env.App.Auth.CreateUser(ctx, cms.System, auth.NewUser{Email: email, Name: role, Password: "password-" + email})
	if err != nil {
		b.Fatal(err)
	}
	if err := env.App.Authz.Assign(ctx, cms.System, authz.Assignment{UserID: u.ID, Role: role, Series: "korea-view"}); err != nil {
		b.Fatal(err)
	}
	return cms.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Via: "session"}
}

// benchBriefing is a briefing about as long as the reference example.
func benchBriefing(i int) content.NewDocument {
	byline := "yong-kwon"
	return content.NewDocument{
		Type: "briefing", Series: "korea-view", Byline: &byline,
		Title:  fmt.Sprintf("Beijing Calibrates Its Approach to Seoul, Part %d", i+1),
		Topics: []string{"China", "South Korea", "diplomacy"},
		Fields: map[string]any{
			"summary": "China raised joint dialogue with South Korea and a future 2+2 meeting.",
			"what_happened": []any{
				"During recent talks, the Chinese FM raised the idea of joint dialogue to reach a political resolution between North and South Korea.",
				"China also voiced support for South Korea’s goals of peace and denuclearization of the Korean Peninsula.",
				"The two foreign ministers discussed holding a future 2+2 meeting with diplomatic and security officials from both sides.",
			},
			"implications": "China’s engagement with South Korea seems **more focused** on calibrating Beijing’s position vis-à-vis Washington than addressing tangible challenges shared with Seoul.",
			"context":      "China’s move to establish regular meetings with South Korea follows Seoul’s continued closeness with members of the [QUAD](https://en.wikipedia.org/wiki/Quadrilateral_Security_Dialogue).",
		},
	}
}
