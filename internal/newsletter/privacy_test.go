package newsletter_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, body)
	}
	return rows
}

// TestExportSubscribers: admins export every list, a series' publishers
// its own; no one else; cells a spreadsheet would run are defused.
func TestExportSubscribers(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.subscribe(t, apptest.Series, "reader@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.Series, "-2+3@example.org", newsletter.Pending)
		d.subscribe(t, apptest.ParentSeries, "=cmd@example.org", newsletter.Unsubscribed)

		d.Writer.Do("GET", "/api/v1/subscribers/export?series="+apptest.Series, nil).Want(http.StatusForbidden)
		d.Publisher.Do("GET", "/api/v1/subscribers/export", nil).Want(http.StatusForbidden)
		d.Publisher.Do("GET", "/api/v1/subscribers/export?series="+apptest.ParentSeries, nil).Want(http.StatusForbidden)
		d.Admin.Do("GET", "/api/v1/subscribers/export?series=nope", nil).Want(http.StatusNotFound)
		d.Anonymous.Do("GET", "/api/v1/subscribers/export", nil).Want(http.StatusUnauthorized)

		resp := d.Publisher.Do("GET", "/api/v1/subscribers/export?series="+apptest.Series, nil).Want(http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("Content-Type = %q", ct)
		}
		rows := readCSV(t, resp.Body)
		if len(rows) != 3 || strings.Join(rows[0], ",") != "email,series,status,consent_basis,consent_at,created_at,confirmed_at,unsubscribed_at" {
			t.Fatalf("publisher's export = %q", rows)
		}
		byEmail := map[string][]string{}
		for _, r := range rows[1:] {
			byEmail[r[0]] = r
		}
		if r := byEmail["'-2+3@example.org"]; r == nil || r[1] != apptest.Series || r[2] != newsletter.Pending {
			t.Fatalf("a cell starting with - is not defused: %q", rows)
		}
		if r := byEmail["reader@example.org"]; r == nil || r[2] != newsletter.Confirmed || r[5] == "" {
			t.Fatalf("reader row = %q", r)
		}

		all := readCSV(t, d.Admin.Do("GET", "/api/v1/subscribers/export", nil).Want(http.StatusOK).Body)
		if len(all) != 4 || !strings.Contains(fmt.Sprint(all), "'=cmd@example.org "+apptest.ParentSeries+" unsubscribed") {
			t.Fatalf("admin's export = %q", all)
		}
		for _, r := range all[1:] {
			for _, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Fatalf("unsafe cell %q in %q", cell, r)
				}
			}
		}
	})
}

// importCSV posts a CSV as multipart/form-data.
func importCSV(c *apptest.Client, series, basis, data string) *apptest.Response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("series", series)
	w.WriteField("basis", basis)
	f, _ := w.CreateFormFile("file", "list.csv")
	f.Write([]byte(data))
	w.Close()
	return c.Do("POST", "/api/v1/subscribers/import", body.Bytes(), "Content-Type", w.FormDataContentType())
}

// TestImportSubscribers: new addresses are added as confirmed with the
// basis; existing subscriptions keep their status and consent; duplicates
// are skipped, suppressed and bad addresses refused, each by row number.
func TestImportSubscribers(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		gone := d.subscribe(t, apptest.Series, "gone@example.org", newsletter.Unsubscribed)
		if err := db.Suppress(t.Context(), "bounced@example.org", "hard_bounce"); err != nil {
			t.Fatal(err)
		}
		file := "name,Email\n" + // row 1
			"New,New@Example.org\n" + // 2 added
			"Gone,gone@example.org\n" + // 3 skipped: on the list
			"Again,new@example.org\n" + // 4 skipped: twice in the file
			"Bounced,bounced@example.org\n" + // 5 refused: suppressed
			"Bad,not-an-address\n" + // 6 refused
			"Empty,\n" + // 7 refused
			"Local,someone@localhost\n" + // 8 refused
			"Other,other@example.org\n" // 9 added

		// Bad requests change nothing.
		for _, tc := range []struct {
			name string
			resp *apptest.Response
			want int
		}{
			{"no basis", importCSV(d.Publisher, apptest.Series, " ", file), http.StatusBadRequest},
			{"no series", importCSV(d.Publisher, "", "list X", file), http.StatusBadRequest},
			{"a blog", importCSV(d.Admin, apptest.ParentSeries, "list X", file), http.StatusBadRequest},
			{"no email column", importCSV(d.Publisher, apptest.Series, "list X", "name\nx\n"), http.StatusBadRequest},
			{"broken CSV", importCSV(d.Publisher, apptest.Series, "list X", "email\n\"a@example.org\n"), http.StatusBadRequest},
			{"too many rows", importCSV(d.Publisher, apptest.Series, "list X",
				"email\n"+strings.Repeat("x@example.org\n", newsletter.MaxImportRows+1)), http.StatusBadRequest},
			{"a writer", importCSV(d.Writer, apptest.Series, "list X", file), http.StatusForbidden},
			{"JSON", d.Publisher.Do("POST", "/api/v1/subscribers/import", map[string]any{"series": apptest.Series}), http.StatusUnsupportedMediaType},
		} {
			if tc.resp.Status != tc.want {
				t.Fatalf("%s: status %d, want %d: %s", tc.name, tc.resp.Status, tc.want, tc.resp.Body)
			}
			if _, total, err := db.SearchSubscribers(t.Context(), newsletter.SubscriberFilter{Series: apptest.Series}, 10, 0); err != nil || total != 1 {
				t.Fatalf("%s: %d subscribers after a refused import (%v)", tc.name, total, err)
			}
		}

		var rep newsletter.ImportReport
		importCSV(d.Publisher, apptest.Series, "imported consent from list X", file).Want(http.StatusOK).Decode(&rep)
		if rep.Added != 2 || rep.Skipped != 2 || rep.Refused != 4 || len(rep.Rows) != 6 {
			t.Fatalf("report = %+v", rep)
		}
		want := map[int]string{3: "skipped", 4: "skipped", 5: "refused", 6: "refused", 7: "refused", 8: "refused"}
		for _, r := range rep.Rows {
			if want[r.Row] != r.Result || r.Reason == "" {
				t.Fatalf("row %+v; want %v", r, want)
			}
		}
		if !strings.Contains(fmt.Sprint(rep.Rows), "suppressed") {
			t.Fatalf("row 5 does not say it is suppressed: %+v", rep.Rows)
		}
		sr, _ := db.FindSeries(t.Context(), apptest.Series)
		added, err := db.FindSubscriber(t.Context(), "new@example.org", sr.ID)
		if err != nil || added.Status != newsletter.Confirmed || added.ConsentBasis != "imported consent from list X" || added.ConsentAt == nil {
			t.Fatalf("imported = %+v, %v", added, err)
		}
		kept, err := db.FindSubscriberByID(t.Context(), gone.ID)
		if err != nil || kept.Status != newsletter.Unsubscribed || kept.ConsentBasis != "" {
			t.Fatalf("existing subscription changed: %+v, %v", kept, err)
		}

		// The same list again, as text/csv: everything is there already.
		q := url.Values{"series": {apptest.Series}, "basis": {"list X again"}}
		d.Admin.Do("POST", "/api/v1/subscribers/import?"+q.Encode(), "email\nnew@example.org\nother@example.org\n",
			"Content-Type", "text/csv").Want(http.StatusOK).Decode(&rep)
		if rep.Added != 0 || rep.Skipped != 2 || rep.Refused != 0 {
			t.Fatalf("second import = %+v", rep)
		}
		if again, _ := db.FindSubscriber(t.Context(), "new@example.org", sr.ID); again.ConsentBasis != "imported consent from list X" {
			t.Fatalf("consent overwritten: %+v", again)
		}

		// A basis a spreadsheet would run comes out of the export defused.
		importCSV(d.Publisher, apptest.Series, `=HYPERLINK("http://evil.example","x")`, "email\nformula@example.org\n").Want(http.StatusOK)
		out := readCSV(t, d.Publisher.Do("GET", "/api/v1/subscribers/export?series="+apptest.Series, nil).Want(http.StatusOK).Body)
		if !strings.Contains(fmt.Sprint(out), `formula@example.org korea-view confirmed '=HYPERLINK(`) {
			t.Fatalf("export = %q", out)
		}
	})
}

func count(t *testing.T, db *store.DB, query string) int {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRowContext(t.Context(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEraseSubscriber: erasing an address removes it from every list, the
// outbox and a send's rows, keeps its hash suppressed, and an import or a
// later send does not bring it back.
func TestEraseSubscriber(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		sub := d.subscribe(t, apptest.Series, "erase@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.ParentSeries, "erase@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.Series, "stays@example.org", newsletter.Confirmed)
		if err := db.QueueMail(t.Context(), newsletter.Mail{ID: cms.NewID(), To: "erase@example.org", Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		id := d.approved(t, "before-erasure")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		s, ok, err := db.StartSend(t.Context(), time.Now().UTC())
		if err != nil || !ok || s.Recipients != 2 {
			t.Fatalf("start: %+v %v %v", s, ok, err)
		}

		d.Publisher.Do("DELETE", "/api/v1/subscribers/"+sub.ID, nil).Want(http.StatusForbidden)
		d.Admin.Do("DELETE", "/api/v1/subscribers/nope", nil).Want(http.StatusNotFound)
		d.Admin.Do("DELETE", "/api/v1/subscribers/"+sub.ID, nil).Want(http.StatusNoContent)
		d.Admin.Do("DELETE", "/api/v1/subscribers/"+sub.ID, nil).Want(http.StatusNotFound)

		if n := count(t, db, "SELECT COUNT(*) FROM subscribers WHERE email = 'erase@example.org'"); n != 0 {
			t.Fatalf("%d subscriptions left", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'erase@example.org'"); n != 0 {
			t.Fatalf("%d outbox mails left", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM send_recipients WHERE email = 'erase@example.org'"); n != 0 {
			t.Fatalf("%d recipient rows keep the address", n)
		}
		if !suppressed(t, db, "erase@example.org") {
			t.Fatal("the erased address is not suppressed")
		}
		events, err := db.FindAudit(t.Context(), 20)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range events {
			if ev.Action == "subscriber.erased" {
				found = ev.ObjectID == sub.ID && ev.Detail["address_hash"] == newsletter.AddressHash("erase@example.org")
			}
			if strings.Contains(fmt.Sprint(ev), "erase@example.org") {
				t.Fatalf("audit keeps the address: %+v", ev)
			}
		}
		if !found {
			t.Fatalf("erasure not audited: %+v", events)
		}

		if n := sendDue(t, d.worker()); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		if got := recipientsOf(d.box); len(got) != 1 || got["stays@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
		var done newsletter.Send
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID, nil).Want(http.StatusOK).Decode(&done)
		if done.Recipients != 2 || done.Sent != 1 || done.Skipped != 1 {
			t.Fatalf("send after erasure = %+v", done)
		}

		// Signing up again is answered as ever, but stores and mails nothing.
		d.Anonymous.Do("POST", "/delivery/v1/subscribers", map[string]any{"email": "erase@example.org", "series": apptest.Series}).
			Want(http.StatusAccepted)
		if n := count(t, db, "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'erase@example.org'") +
			count(t, db, "SELECT COUNT(*) FROM subscribers WHERE email = 'erase@example.org'"); n != 0 {
			t.Fatalf("a sign-up of an erased address left %d rows", n)
		}

		var rep newsletter.ImportReport
		importCSV(d.Publisher, apptest.Series, "list X", "email\nerase@example.org\n").Want(http.StatusOK).Decode(&rep)
		if rep.Added != 0 || rep.Refused != 1 {
			t.Fatalf("import of an erased address = %+v", rep)
		}
	})
}

// TestExportStreamsLongList: a list longer than the pages the export
// reads and writes out one by one comes back whole, each address once,
// with the download's headers.
func TestExportStreamsLongList(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		const n = 1200
		for i := range n {
			d.subscribe(t, apptest.Series, fmt.Sprintf("r%04d@example.org", i), newsletter.Confirmed)
		}
		resp := d.Publisher.Do("GET", "/api/v1/subscribers/export?series="+apptest.Series, nil).Want(http.StatusOK)
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "subscribers-"+apptest.Series+".csv") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		rows := readCSV(t, resp.Body)
		if len(rows) != n+1 {
			t.Fatalf("%d rows, want %d and the header", len(rows)-1, n)
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			seen[r[0]] = true
		}
		if len(seen) != n {
			t.Fatalf("%d distinct addresses of %d", len(seen), n)
		}
	})
}
