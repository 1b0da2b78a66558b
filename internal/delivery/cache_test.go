package delivery

import (
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestListingKeysIgnoreUnknownParameters: parameters the API does not
// read, and the order of those it does, do not make new cache entries.
func TestListingKeysIgnoreUnknownParameters(t *testing.T) {
	t.Parallel()
	s := &Handler{}
	key := func(query string) string {
		t.Helper()
		c := echo.New().NewContext(httptest.NewRequest("GET", "/delivery/v1/documents?"+query, nil), httptest.NewRecorder())
		q, err := s.listQuery(c)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return q.cacheKey()
	}
	base := key("series=korea-view&limit=25")
	for _, same := range []string{"limit=25&series=korea-view", "series=korea-view&limit=25&junk=1", "series=korea-view&utm_source=x"} {
		if key(same) != base {
			t.Errorf("%q has a key of its own", same)
		}
	}
	for _, other := range []string{"series=korea-view&limit=24", "series=korea-view&include=fields", "series=korea-view&topic=china"} {
		if key(other) == base {
			t.Errorf("%q shares the key of series=korea-view&limit=25", other)
		}
	}
}
