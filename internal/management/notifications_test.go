package management_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

type notificationJSON struct {
	ID         string  `json:"id"`
	Kind       string  `json:"kind"`
	DocumentID *string `json:"document_id"`
	Title      string  `json:"title"`
	ActorName  string  `json:"actor_name"`
	Note       string  `json:"note"`
	Read       bool    `json:"read"`
}

type notificationPage struct {
	Data       []notificationJSON `json:"data"`
	NextCursor string             `json:"next_cursor"`
	Unread     int                `json:"unread"`
}

// mailEnv is a newsroom whose mail goes to a local SMTP server.
func mailEnv(t *testing.T, db *store.DB) (*apptest.Env, *apptest.Mailbox) {
	box := apptest.StartMailbox(t)
	return apptest.New(t, db, mailTo(box)), box
}

// mailTo has an instance mail its notifications to box.
func mailTo(box *apptest.Mailbox) apptest.Options {
	return apptest.Options{Configure: func(o *app.Options) {
		o.SMTPURL, o.MailFrom, o.NotificationMail = box.URL, "Masthead <masthead@example.org>", true
		o.BaseURL, _ = url.Parse("https://masthead.test")
	}}
}

// notes lists a person's notifications as "kind: title".
func notes(t *testing.T, c *apptest.Client, query string) []string {
	t.Helper()
	var p notificationPage
	c.Do("GET", "/api/v1/notifications?"+query, nil).Want(http.StatusOK).Decode(&p)
	var out []string
	for _, n := range p.Data {
		out = append(out, n.Kind+": "+n.Title)
	}
	sort.Strings(out)
	return out
}

// mailed sends the outbox and returns each recipient's subjects since
// the last call, sorted.
func mailed(t *testing.T, env *apptest.Env, box *apptest.Mailbox, seen *int) map[string][]string {
	t.Helper()
	if _, err := env.App.Mailer.SendDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	all := box.All()
	out := map[string][]string{}
	for _, m := range all[*seen:] {
		out[m.To] = append(out[m.To], subjectOf(m.Data))
	}
	*seen = len(all)
	for _, s := range out {
		sort.Strings(s)
	}
	return out
}

func subjectOf(raw string) string {
	for _, line := range strings.Split(raw, "\r\n") {
		if s, ok := strings.CutPrefix(line, "Subject: "); ok {
			return s
		}
	}
	return ""
}

// TestEveryNotificationKindReachesExactlyItsRecipients plays a piece from
// submission to publication and checks, per person, what they are told in
// the app and by mail: never their own acts, nothing about what they may
// not read, one mail per notification unless they switched it off.
func TestEveryNotificationKindReachesExactlyItsRecipients(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env, box := mailEnv(t, db)
		n := apptest.NewNewsroom(t, env)
		second := env.CreateUser("second@example.org", "editor:"+apptest.Series)
		outsider := env.CreateUser("outsider@example.org", "author:"+apptest.ParentSeries)
		seen := 0
		people := map[string]*apptest.Client{"writer": n.Writer, "assistant": n.Assistant, "editor": n.Editor,
			"publisher": n.Publisher, "admin": n.Admin, "second": second, "outsider": outsider}
		// expect checks each person's new notifications (and marks them read)
		// and the mail of this step.
		expect := func(step string, want map[string][]string) {
			t.Helper()
			for name, c := range people {
				got := notes(t, c, "unread=true")
				if !slices.Equal(got, want[name]) {
					t.Errorf("%s: %s was told %v, want %v", step, name, got, want[name])
				}
				c.Do("POST", "/api/v1/notifications/read", map[string]any{"all": true}).Want(http.StatusNoContent)
			}
			mails := mailed(t, env, box, &seen)
			for name, c := range people {
				addr := map[string]string{"admin": apptest.AdminEmail}[name]
				if addr == "" {
					addr = name + "@example.org"
				}
				var subjects []string
				for _, s := range want[name] {
					// The writer switched mentions off before that step.
					muted := step == "muted mention" && c == n.Writer && strings.HasPrefix(s, "mentioned")
					if !muted {
						subjects = append(subjects, s)
					}
				}
				if len(mails[addr]) != len(subjects) {
					t.Errorf("%s: %s got mail %v, want %d", step, name, mails[addr], len(subjects))
				}
			}
		}

		contributor := map[string]any{"slug": "assistant-person", "name": "Assistant Person", "user_id": n.Assistant.UserID}
		n.Admin.Do("POST", "/api/v1/contributors", contributor).Want(http.StatusCreated)
		d := createBriefing(t, n.Writer, "The Piece")
		const p = "The Piece"

		moveDoc(t, n.Writer, d.ID, "submit")
		expect("submit", map[string][]string{"editor": {"submitted: " + p}, "second": {"submitted: " + p}, "admin": {"submitted: " + p}})

		moveDoc(t, n.Editor, d.ID, "request_changes", "note", "Tighten the lede")
		expect("request changes", map[string][]string{"writer": {"changes_requested: " + p}})
		var page notificationPage
		n.Writer.Do("GET", "/api/v1/notifications", nil).Want(http.StatusOK).Decode(&page)
		if len(page.Data) == 0 || page.Data[0].Note != "Tighten the lede" || page.Data[0].ActorName == "" || page.Unread != 0 {
			t.Errorf("changes requested, as listed: %+v", page)
		}

		moveDoc(t, n.Writer, d.ID, "submit", "reviewer", second.UserID)
		expect("submit to a reviewer", map[string][]string{"second": {"submitted: " + p}})

		cur := getDoc(t, n.Editor, d.ID)
		n.Editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]any{{"role": "contributor", "contributor": "assistant-person"}},
			"If-Match", versionTag(cur.Version)).Want(http.StatusOK)
		moveDoc(t, second, d.ID, "approve")
		expect("approve", map[string][]string{"writer": {"approved: " + p}, "publisher": {"approved: " + p}, "admin": {"approved: " + p}})

		moveDoc(t, n.Publisher, d.ID, "publish")
		expect("publish", map[string][]string{"writer": {"published: " + p}, "assistant": {"published: " + p}})

		n.Writer.Do("POST", "/api/v1/documents/"+d.ID+"/comments", map[string]any{"body": "@editor and @outsider, see the last line; @writer too"}).
			Want(http.StatusCreated)
		expect("mention", map[string][]string{"editor": {"mentioned: " + p}})

		other := createBriefing(t, n.Writer, "Another Piece")
		patchDoc(n.Editor, other.ID, other.Version, map[string]any{"assignee": n.Assistant.UserID}).Want(http.StatusOK)
		expect("assign", map[string][]string{"assistant": {"assigned: Another Piece"}})

		// Mail switched off: still told in the app, not mailed.
		var prefs struct{ Mail map[string]bool }
		n.Writer.Do("PUT", "/api/v1/me/notifications", map[string]any{"mail": map[string]bool{"mentioned": false}}).
			Want(http.StatusOK).Decode(&prefs)
		if prefs.Mail["mentioned"] || !prefs.Mail["approved"] || len(prefs.Mail) != 9 {
			t.Errorf("preferences: %v", prefs.Mail)
		}
		wantProblem(t, n.Writer.Do("PUT", "/api/v1/me/notifications", map[string]any{"mail": map[string]bool{"gossip": false}}),
			http.StatusBadRequest, "invalid")
		n.Editor.Do("POST", "/api/v1/documents/"+d.ID+"/comments", map[string]any{"body": "thanks @writer"}).Want(http.StatusCreated)
		expect("muted mention", map[string][]string{"writer": {"mentioned: " + p}})

		// The second editor loses the series: their old notifications about
		// it no longer show, title and all.
		n.Admin.Do("DELETE", "/api/v1/roles", map[string]any{"user_id": second.UserID, "role": "editor", "series": apptest.Series}).
			Want(http.StatusNoContent)
		var left notificationPage
		second.Do("GET", "/api/v1/notifications", nil).Want(http.StatusOK).Decode(&left)
		if len(left.Data) != 0 || strings.Contains(fmt.Sprint(left), p) {
			t.Errorf("after losing access: %+v", left)
		}
	})
}

// TestNotificationsArePagedAndMarkedRead: unread=true pages the unread,
// POST …/read marks the named ones only (and no one else's).
func TestNotificationsArePagedAndMarkedRead(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		for i := range 3 {
			d := createBriefing(t, n.Writer, fmt.Sprintf("Piece %d", i))
			patchDoc(n.Editor, d.ID, d.Version, map[string]any{"assignee": n.Writer.UserID}).Want(http.StatusOK)
		}
		var first, second notificationPage
		n.Writer.Do("GET", "/api/v1/notifications?unread=true&limit=2", nil).Want(http.StatusOK).Decode(&first)
		if len(first.Data) != 2 || first.NextCursor == "" || first.Unread != 3 {
			t.Fatalf("first page: %+v", first)
		}
		n.Writer.Do("GET", "/api/v1/notifications?unread=true&limit=2&cursor="+first.NextCursor, nil).Want(http.StatusOK).Decode(&second)
		if len(second.Data) != 1 || second.NextCursor != "" || second.Data[0].ID == first.Data[0].ID {
			t.Fatalf("second page: %+v", second)
		}
		n.Editor.Do("POST", "/api/v1/notifications/read", map[string]any{"ids": []string{first.Data[0].ID}}).Want(http.StatusNoContent)
		n.Writer.Do("POST", "/api/v1/notifications/read", map[string]any{"ids": []string{first.Data[1].ID}}).Want(http.StatusNoContent)
		if got := notes(t, n.Writer, "unread=true"); len(got) != 2 {
			t.Errorf("unread after reading one: %v", got)
		}
		wantProblem(t, n.Writer.Do("POST", "/api/v1/notifications/read", map[string]any{}), http.StatusBadRequest, "invalid")
		wantProblem(t, n.Writer.Do("GET", "/api/v1/notifications?unread=perhaps", nil), http.StatusBadRequest, "invalid")
	})
}

// TestDailyDigestOncePerPersonPerDayWithTwoInstances: two instances on one
// database look for digests at the same time; each person with work due
// or overdue gets one notification and one mail, and a second round sends
// nothing.
func TestDailyDigestOncePerPersonPerDayWithTwoInstances(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env, box := mailEnv(t, db)
		other := apptest.New(t, db, mailTo(box))
		n := apptest.NewNewsroom(t, env)
		late := createBriefing(t, n.Writer, "Late Piece")
		patchDoc(n.Editor, late.ID, late.Version, map[string]any{"assignee": n.Writer.UserID,
			"due_at": rfc(time.Now().Add(-2 * time.Hour))}).Want(http.StatusOK)
		soon := createBriefing(t, n.Assistant, "Piece Due Soon")
		patchDoc(n.Editor, soon.ID, soon.Version, map[string]any{"due_at": rfc(time.Now().Add(3 * time.Hour))}).Want(http.StatusOK)
		// The assignment itself was told and mailed.
		n.Writer.Do("POST", "/api/v1/notifications/read", map[string]any{"all": true}).Want(http.StatusNoContent)
		seen := 0
		mailed(t, env, box, &seen)
		box.Take()

		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, a := range []*app.App{env.App, other.App} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sent, err := a.Notify.SendDigests(t.Context())
				if err != nil {
					t.Error(err)
				}
				counts[i] = sent
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 2 {
			t.Errorf("digests sent %v, want 2 in all (the writer's and the assistant's)", counts)
		}
		if again, err := other.App.Notify.SendDigests(t.Context()); err != nil || again != 0 {
			t.Errorf("a second round sent %d (%v), want none", again, err)
		}
		if got := notes(t, n.Writer, "unread=true"); !slices.Equal(got, []string{"digest: "}) {
			t.Errorf("the writer's digest in the app: %v", got)
		}
		mails := mailed(t, env, box, &seen)
		if len(mails["writer@example.org"]) != 1 || len(mails["assistant@example.org"]) != 1 || len(mails) != 2 {
			t.Fatalf("digest mail: %v", mails)
		}
		body := box.Take()
		joined := strings.Join(body, "\n")
		if !strings.Contains(joined, "Late Piece") || !strings.Contains(joined, "Piece Due Soon") {
			t.Errorf("digests do not list the pieces: %s", joined)
		}
	})
}
