package newsletter_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

func TestNewsletterSettingsAndManualSend(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		path := "/api/v1/series/" + apptest.Series + "/newsletter"
		var got newsletter.Settings
		d.Publisher.Do("GET", path, nil).Want(http.StatusOK).Decode(&got)
		if got != (newsletter.Settings{}) {
			t.Fatalf("unset settings = %+v", got)
		}
		d.Writer.Do("GET", path, nil).Want(http.StatusForbidden)
		d.Editor.Do("PUT", path, map[string]any{"enabled": false}).Want(http.StatusForbidden)
		d.Publisher.Do("GET", "/api/v1/series/"+apptest.ParentSeries+"/newsletter", nil).Want(http.StatusForbidden)
		for _, bad := range []map[string]any{
			{"enabled": true},
			{"enabled": true, "from_address": "not an address"},
			{"enabled": true, "from_address": "Korea View <kv@example.org>"},
			{"enabled": true, "from_address": "kv@example.org", "reply_to": "nope"},
			{"enabled": true, "from_address": "kv@example.org", "from_name": "a\r\nBcc: x@example.org"},
			{"enabled": true, "from_address": "kv@example.org", "unknown": 1},
			{"enabled": true, "from_address": "kv@example.org", "footer": strings.Repeat("x", 4001)},
			{"enabled": true, "from_address": "kv@example.org", "from_name": strings.Repeat("x", 201)},
			{"enabled": "yes", "from_address": "kv@example.org"},
		} {
			d.Publisher.Do("PUT", path, bad).Want(http.StatusBadRequest)
		}
		d.Publisher.Do("GET", path, nil).Want(http.StatusOK).Decode(&got)
		if got != (newsletter.Settings{}) {
			t.Fatalf("refused settings were stored: %+v", got)
		}
		want := newsletter.Settings{Enabled: true, FromName: "Korea View", FromAddress: "kv@example.org", ReplyTo: "desk@example.org", Footer: "KEI"}
		d.Publisher.Do("PUT", path, want).Want(http.StatusOK)
		d.Publisher.Do("GET", path, nil).Want(http.StatusOK).Decode(&got)
		if got != want {
			t.Fatalf("settings = %+v, want %+v", got, want)
		}
		audit, err := db.FindAudit(t.Context(), 20)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range audit {
			found = found || (ev.Action == "newsletter.settings" && ev.ActorID == d.Publisher.UserID)
		}
		if !found {
			t.Error("no newsletter.settings audit event by the publisher")
		}

		// Not send_on_publish: publishing sends nothing; a publisher sends by hand, once.
		id := d.approved(t, "by-hand")
		body := map[string]any{"series": apptest.Series}
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusConflict) // not live
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		if s := d.sends(t, id); len(s) != 0 {
			t.Fatalf("publishing without send_on_publish created %d sends", len(s))
		}
		d.Writer.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusForbidden)
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", map[string]any{"series": "nope"}).Want(http.StatusNotFound)
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", map[string]any{}).Want(http.StatusBadRequest)
		d.Publisher.Do("POST", "/api/v1/documents/nope/sends", body).Want(http.StatusNotFound)
		d.Publisher.Do("PUT", path, newsletter.Settings{FromAddress: "kv@example.org"}).Want(http.StatusOK)
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusConflict) // not enabled
		d.Publisher.Do("PUT", path, want).Want(http.StatusOK)
		var s newsletter.Send
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusCreated).Decode(&s)
		if s.Status != newsletter.SendQueued || s.DocumentID != id || s.Series != apptest.Series {
			t.Errorf("send = %+v", s)
		}
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusConflict)
		if n := len(d.sends(t, id)); n != 1 {
			t.Fatalf("%d sends, want 1", n)
		}
		d.Writer.Do("GET", "/api/v1/sends/"+s.ID, nil).Want(http.StatusForbidden)
		d.Publisher.Do("GET", "/api/v1/sends/nope", nil).Want(http.StatusNotFound)
		d.Publisher.Do("GET", "/api/v1/sends?status=bogus", nil).Want(http.StatusBadRequest)
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?status=bogus", nil).Want(http.StatusBadRequest)
		var mine struct{ Data []newsletter.Send }
		d.Writer.Do("GET", "/api/v1/sends", nil).Want(http.StatusOK).Decode(&mine)
		if len(mine.Data) != 0 {
			t.Errorf("a writer sees %d sends", len(mine.Data))
		}
	})
}

// TestNewsletterPermissions: a series' newsletter and sends are its
// publishers' and the admins'; nobody else's, whatever else they hold.
func TestNewsletterPermissions(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		on := map[string]any{"enabled": true, "from_address": "kv@example.org"}
		for _, tc := range []struct {
			name   string
			c      *apptest.Client
			series string
			want   int
		}{
			{"anonymous", d.Anonymous, apptest.Series, http.StatusUnauthorized},
			{"writer", d.Writer, apptest.Series, http.StatusForbidden},
			{"assistant", d.Assistant, apptest.Series, http.StatusForbidden},
			{"editor of the parent", d.Editor, apptest.Series, http.StatusForbidden},
			{"publisher", d.Publisher, apptest.Series, http.StatusOK},
			{"publisher, on the parent", d.Publisher, apptest.ParentSeries, http.StatusForbidden},
			{"admin", d.Admin, apptest.Series, http.StatusOK},
			{"admin, on the parent", d.Admin, apptest.ParentSeries, http.StatusOK},
			{"admin, no such series", d.Admin, "nope", http.StatusNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := tc.c.For(t)
				path := "/api/v1/series/" + tc.series + "/newsletter"
				c.Do("GET", path, nil).Want(tc.want)
				c.Do("PUT", path, on).Want(tc.want)
			})
		}
	})
}
