package newsletter_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestEditionThroughMailpit reads editions as a mailbox provider would,
// from a real SMTP server (mailpit): a subscriber's edition and a test
// send arrive with both parts, the list's headers, the credit line and
// the hero's licence line, and the install's DKIM signature holds. It runs where MASTHEAD_TEST_MAILPIT names
// mailpit (always in CI).
func TestEditionThroughMailpit(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		mp := apptest.StartMailpit(t)
		env, n := editionEnv(t, db, mp.URL)
		id := publishExample(t, n)

		n.Publisher.Do("POST", "/api/v1/documents/"+id+"/test-send", nil).Want(http.StatusAccepted)
		if sent, err := env.App.Mailer.SendDue(t.Context()); err != nil || sent != 1 {
			t.Fatalf("sent %d, %v; want the test", sent, err)
		}
		series, err := db.FindSeries(t.Context(), apptest.Series)
		if err != nil {
			t.Fatal(err)
		}
		sub := newsletter.Subscriber{ID: "sub-1", Email: "reader@example.org", Series: apptest.Series}
		m, err := env.App.Newsletter.EditionMail(t.Context(), id, series, exampleSettings, sub)
		if err != nil {
			t.Fatal(err)
		}
		smtp, err := newsletter.NewSMTP(mp.URL, "Masthead <news@masthead.test>")
		if err != nil {
			t.Fatal(err)
		}
		if err := smtp.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}

		msgs := mp.WaitMessages(2, 10*time.Second)
		if len(msgs) != 2 {
			t.Fatalf("%s holds %d messages, want 2: %+v", mp, len(msgs), msgs)
		}
		got := map[string]bool{}
		for _, s := range msgs {
			if len(s.To) != 1 {
				t.Fatalf("message %s to %+v, want one recipient", s.ID, s.To)
			}
			to := s.To[0].Address
			got[to] = true
			subject, unsubscribe := exampleTitle, env.App.Newsletter.UnsubscribeLink(sub)
			if to == "publisher@example.org" {
				subject, unsubscribe = "[Test] "+exampleTitle, ""
			}
			if s.Subject != subject {
				t.Errorf("mailpit lists subject %q, want %q", s.Subject, subject)
			}
			raw := mp.Raw(s.ID)
			checkEdition(t, parseEdition(t, raw), subject, unsubscribe)
			if to == "publisher@example.org" { // the install signs what its outbox sends
				if _, err := verifyDKIM(raw, sitePublicKey); err != nil {
					t.Errorf("DKIM as mailpit received it: %v", err)
				}
			}

			// mailpit's own reading agrees: both parts, the one-click header.
			parsed := mp.Message(s.ID)
			if !strings.Contains(strings.Join(strings.Fields(parsed.Text), " "), creditLine) || !strings.Contains(parsed.HTML, "Licence: "+heroLicence) {
				t.Errorf("mailpit's parts lack the credit or licence line:\n%s\n%s", parsed.Text, parsed.HTML)
			}
			if h := mp.Headers(s.ID); len(h["List-Unsubscribe-Post"]) != 1 || h["List-Unsubscribe-Post"][0] != "List-Unsubscribe=One-Click" {
				t.Errorf("mailpit headers %v", h)
			}
		}
		if !got["publisher@example.org"] || !got["reader@example.org"] {
			t.Errorf("recipients %v", got)
		}
	})
}
