package newsletter_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// editionDesk is the example newsroom with its mail going to a mailbox.
type editionDesk struct {
	*apptest.Newsroom
	box *apptest.Mailbox
	db  *store.DB
}

func newEditionDesk(t *testing.T, db *store.DB) *editionDesk {
	box := apptest.StartMailbox(t)
	env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
		o.SMTPURL, o.MailFrom = box.URL, "Masthead <no-reply@example.org>"
	}})
	return &editionDesk{Newsroom: apptest.NewNewsroom(t, env), box: box, db: db}
}

// newsletterOn turns on the newsletter of a series.
func (d *editionDesk) newsletterOn(t *testing.T, series string, onPublish, children bool) {
	t.Helper()
	d.Admin.Do("PUT", "/api/v1/series/"+series+"/newsletter", map[string]any{"enabled": true, "from_name": "Korea View",
		"from_address": "korea-view@example.org", "send_on_publish": onPublish, "include_children": children}).Want(http.StatusOK)
}

// subscribe puts an address on a series' list with a status, straight
// through the store (the sign-up form has its own tests).
func (d *editionDesk) subscribe(t *testing.T, series, email, status string) newsletter.Subscriber {
	t.Helper()
	sr, err := d.db.FindSeries(t.Context(), series)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := newsletter.Subscriber{ID: cms.NewID(), Email: email, SeriesID: sr.ID, Status: status, CreatedAt: now, UpdatedAt: now}
	if err := d.db.SaveSubscriber(t.Context(), sub, nil); err != nil {
		t.Fatal(err)
	}
	return sub
}

// worker returns a worker mailing the desk's mailbox, tuned by cfg.
func (d *editionDesk) worker(cfg ...newsletter.SendConfig) *newsletter.SendWorker {
	c := newsletter.SendConfig{Logger: d.Env.App.Log}
	for _, o := range cfg {
		c = o
		c.Logger = d.Env.App.Log
	}
	return newsletter.NewSendWorker(d.db, d.Env.App.Newsletter, smtpSender(d), c)
}

func smtpSender(d *editionDesk) newsletter.Sender {
	s, err := newsletter.NewSMTP(d.box.URL, "Masthead <no-reply@example.org>")
	if err != nil {
		panic(err)
	}
	return s
}

// draft creates an approved briefing, ready to publish.
func (d *editionDesk) approved(t *testing.T, slug string) string {
	t.Helper()
	var doc struct{ ID string }
	d.Writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": apptest.Series, "title": slug, "slug": slug,
		"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&doc)
	d.transition(t, d.Writer, doc.ID, "submit", http.StatusOK)
	d.transition(t, d.Editor, doc.ID, "approve", http.StatusOK)
	return doc.ID
}

func (d *editionDesk) transition(t *testing.T, c *apptest.Client, id, action string, want ...int) *apptest.Response {
	t.Helper()
	return c.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": action}).Want(want...)
}

func (d *editionDesk) sends(t *testing.T, id string) []newsletter.Send {
	t.Helper()
	var out struct{ Data []newsletter.Send }
	d.Publisher.Do("GET", "/api/v1/sends?document="+id, nil).Want(http.StatusOK).Decode(&out)
	return out.Data
}

// recipientsOf returns the addresses the mailbox got, counting each.
func recipientsOf(box *apptest.Mailbox) map[string]int {
	got := map[string]int{}
	for _, m := range box.All() {
		got[strings.ToLower(m.To)]++
	}
	return got
}

func sendDue(t *testing.T, w *newsletter.SendWorker) int {
	t.Helper()
	n, err := w.SendDue(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEditionReachesConfirmedOnce publishes to 3 confirmed, 1 pending, 1
// unsubscribed and 1 suppressed subscriber: 3 mails; publishing again
// (after an unpublish, and twice at once) sends none more.
func TestEditionReachesConfirmedOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		for _, e := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			d.subscribe(t, apptest.Series, e, newsletter.Confirmed)
		}
		d.subscribe(t, apptest.Series, "pending@example.org", newsletter.Pending)
		d.subscribe(t, apptest.Series, "gone@example.org", newsletter.Unsubscribed)
		d.subscribe(t, apptest.Series, "suppressed@example.org", newsletter.Confirmed)
		if err := db.Suppress(t.Context(), "Suppressed@Example.org", "hard_bounce"); err != nil {
			t.Fatal(err)
		}
		id := d.approved(t, "edition")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		sends := d.sends(t, id)
		if len(sends) != 1 || sends[0].Status != newsletter.SendQueued {
			t.Fatalf("sends after publish = %+v", sends)
		}
		w := d.worker()
		if n := sendDue(t, w); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		got := recipientsOf(d.box)
		if len(got) != 3 || got["a@example.org"] != 1 || got["b@example.org"] != 1 || got["c@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
		var s newsletter.Send
		d.Publisher.Do("GET", "/api/v1/sends/"+sends[0].ID, nil).Want(http.StatusOK).Decode(&s)
		if s.Status != newsletter.SendDone || s.Recipients != 3 || s.Sent != 3 || s.Failed+s.Bounced+s.Skipped != 0 ||
			s.StartedAt == nil || s.FinishedAt == nil {
			t.Fatalf("progress = %+v", s)
		}
		var page struct {
			Data       []newsletter.Recipient
			NextCursor string `json:"next_cursor"`
		}
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?limit=2", nil).Want(http.StatusOK).Decode(&page)
		if len(page.Data) != 2 || page.NextCursor == "" || page.Data[0].Status != newsletter.RcptSent ||
			page.Data[0].MessageID == "" || page.Data[0].Attempts != 1 {
			t.Fatalf("first page = %+v", page)
		}
		first := append([]newsletter.Recipient(nil), page.Data...)
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?limit=2&cursor="+page.NextCursor, nil).Want(http.StatusOK).Decode(&page)
		if len(page.Data) != 1 || page.NextCursor != "" || page.Data[0].ID == first[0].ID || page.Data[0].ID == first[1].ID {
			t.Fatalf("second page = %+v", page)
		}

		// Unpublish and publish again: the send exists, nothing more goes.
		d.transition(t, d.Publisher, id, "unpublish", http.StatusOK)
		d.transition(t, d.Writer, id, "submit", http.StatusOK)
		d.transition(t, d.Admin, id, "approve", http.StatusOK)
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		if n := sendDue(t, w); n != 0 || len(d.sends(t, id)) != 1 || len(d.box.All()) != 3 {
			t.Fatalf("re-publish: sent %d, %d sends, %d mails", n, len(d.sends(t, id)), len(d.box.All()))
		}

		// Two racing publishes of one document: one wins, one send.
		race := d.approved(t, "race")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Go(func() {
				codes[i] = d.Publisher.Do("POST", "/api/v1/documents/"+race+"/transitions", map[string]any{"action": "publish"}).Status
			})
		}
		wg.Wait()
		if n := len(d.sends(t, race)); n != 1 {
			t.Fatalf("racing publishes (%v) created %d sends", codes, n)
		}
		if n := sendDue(t, w); n != 3 {
			t.Fatalf("race edition sent %d, want 3", n)
		}
	})
}

// TestAudienceFrozenAtStart: the audience is who was confirmed when the
// send started; a later sign-up is not added, a later unsubscribe is
// skipped at send time.
func TestAudienceFrozenAtStart(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		d.subscribe(t, apptest.Series, "stays@example.org", newsletter.Confirmed)
		leaves := d.subscribe(t, apptest.Series, "leaves@example.org", newsletter.Confirmed)
		id := d.approved(t, "frozen")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		s, ok, err := db.StartSend(t.Context(), time.Now().UTC())
		if err != nil || !ok || s.Recipients != 2 || s.Status != newsletter.SendSending {
			t.Fatalf("start: %+v %v %v", s, ok, err)
		}
		d.subscribe(t, apptest.Series, "late@example.org", newsletter.Confirmed)
		leaves.Status, leaves.UpdatedAt = newsletter.Unsubscribed, time.Now().UTC()
		if err := db.SaveSubscriber(t.Context(), leaves, nil); err != nil {
			t.Fatal(err)
		}
		if n := sendDue(t, d.worker()); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		if got := recipientsOf(d.box); len(got) != 1 || got["stays@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
		s, err = db.FindSend(t.Context(), s.ID)
		if err != nil || s.Recipients != 2 || s.Sent != 1 || s.Skipped != 1 || s.Status != newsletter.SendDone {
			t.Fatalf("progress %+v %v", s, err)
		}
	})
}

// TestParentListGetsChildrenOnce: The Peninsula's list takes Korea View's
// documents; an address on both lists gets one copy.
func TestParentListGetsChildrenOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		d.newsletterOn(t, apptest.ParentSeries, true, true)
		d.subscribe(t, apptest.Series, "child@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.Series, "both@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.ParentSeries, "both@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.ParentSeries, "parent@example.org", newsletter.Confirmed)
		id := d.approved(t, "family")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		var all struct{ Data []newsletter.Send }
		d.Admin.Do("GET", "/api/v1/sends?document="+id, nil).Want(http.StatusOK).Decode(&all)
		if len(all.Data) != 2 {
			t.Fatalf("%d sends, want one per list", len(all.Data))
		}
		if n := sendDue(t, d.worker()); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		got := recipientsOf(d.box)
		if len(got) != 3 || got["both@example.org"] != 1 || got["child@example.org"] != 1 || got["parent@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
		// Without include_children the parent's list gets nothing.
		d.Admin.Do("PUT", "/api/v1/series/"+apptest.ParentSeries+"/newsletter", map[string]any{"enabled": true,
			"from_address": "p@example.org", "send_on_publish": true}).Want(http.StatusOK)
		other := d.approved(t, "child-only")
		d.transition(t, d.Publisher, other, "publish", http.StatusOK)
		d.Admin.Do("GET", "/api/v1/sends?document="+other, nil).Want(http.StatusOK).Decode(&all)
		if len(all.Data) != 1 || all.Data[0].Series != apptest.Series {
			t.Fatalf("sends %+v", all.Data)
		}
	})
}

// TestTwoWorkersOneEdition: two workers share one edition of 200
// recipients; every address gets one mail.
func TestTwoWorkersOneEdition(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		for i := range 200 {
			d.subscribe(t, apptest.Series, fmt.Sprintf("r%03d@example.org", i), newsletter.Confirmed)
		}
		id := d.approved(t, "big")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i := range sent {
			w := d.worker(newsletter.SendConfig{Batch: 10})
			wg.Go(func() { sent[i] = sendDue(t, w) })
		}
		wg.Wait()
		got := recipientsOf(d.box)
		if len(got) != 200 || len(d.box.All()) != 200 || sent[0]+sent[1] != 200 {
			t.Fatalf("%d addresses, %d mails, workers sent %v", len(got), len(d.box.All()), sent)
		}
		t.Logf("the workers sent %v", sent)
	})
}

// TestClockAndReleasePublishesSend: a document the clock publishes, and
// one a release publishes, get their send as one published by hand does.
func TestClockAndReleasePublishesSend(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		d.subscribe(t, apptest.Series, "reader@example.org", newsletter.Confirmed)

		clock := d.approved(t, "by-the-clock")
		at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		d.Publisher.Do("POST", "/api/v1/documents/"+clock+"/transitions", map[string]any{"action": "schedule", "at": at.Format(time.RFC3339)}).
			Want(http.StatusOK)
		if n := len(d.sends(t, clock)); n != 0 {
			t.Fatalf("scheduling created %d sends", n)
		}
		svc := d.Env.App.Content
		svc.SetClock(func() time.Time { return at.Add(time.Second) })
		if n, err := svc.PublishDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("PublishDue = %d, %v", n, err)
		}
		svc.SetClock(time.Now)
		if n := len(d.sends(t, clock)); n != 1 {
			t.Fatalf("the clock's publish created %d sends", n)
		}

		released := d.approved(t, "in-a-release")
		var r struct{ ID string }
		d.Publisher.Do("POST", "/api/v1/releases", map[string]any{"name": "Friday", "documents": []string{released}}).
			Want(http.StatusCreated).Decode(&r)
		d.Publisher.Do("POST", "/api/v1/releases/"+r.ID+"/publish", nil).Want(http.StatusOK)
		if n := len(d.sends(t, released)); n != 1 {
			t.Fatalf("the release created %d sends", n)
		}
		if n := sendDue(t, d.worker()); n != 2 || recipientsOf(d.box)["reader@example.org"] != 2 {
			t.Fatalf("sent %d, mailbox %v", n, recipientsOf(d.box))
		}
	})
}

// TestOneClickUnsubscribeSkipsNextEdition: a reader who leaves in one
// click from an edition's List-Unsubscribe link (a form post, urlencoded
// or multipart, twice) gets no further edition.
func TestOneClickUnsubscribeSkipsNextEdition(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		stays := d.subscribe(t, apptest.Series, "stays@example.org", newsletter.Confirmed)
		leavers := []newsletter.Subscriber{
			d.subscribe(t, apptest.Series, "form@example.org", newsletter.Confirmed),
			d.subscribe(t, apptest.Series, "multipart@example.org", newsletter.Confirmed),
		}
		first := d.approved(t, "first")
		d.transition(t, d.Publisher, first, "publish", http.StatusOK)
		w := d.worker()
		if n := sendDue(t, w); n != 3 {
			t.Fatalf("first edition sent %d", n)
		}
		for i, sub := range leavers {
			link, err := url.Parse(d.Env.App.Newsletter.UnsubscribeLink(sub))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if i == 0 {
					formPost(d.Anonymous, link.RequestURI(), "List-Unsubscribe=One-Click").Want(http.StatusOK)
					continue
				}
				body := "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n"
				d.Anonymous.Do("POST", link.RequestURI(), body, "Content-Type", "multipart/form-data; boundary=b").Want(http.StatusOK)
			}
		}
		second := d.approved(t, "second")
		d.transition(t, d.Publisher, second, "publish", http.StatusOK)
		if n := sendDue(t, w); n != 1 {
			t.Fatalf("second edition sent %d, want 1", n)
		}
		if got := recipientsOf(d.box); got[stays.Email] != 2 || got["form@example.org"] != 1 || got["multipart@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
	})
}
