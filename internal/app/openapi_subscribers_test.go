package app_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

var confirmLinkRE = regexp.MustCompile(`/delivery/v1/subscribers/confirm\?token=[A-Za-z0-9_%.\-]+`)

// checkSubscriberCalls plays the mailing lists through the contract:
// sign-ups, all answered with the same 202, and the refused ones (400,
// 413); the confirmation mail, through a real SMTP server; the admin
// listing with each subscriber's way out, and who may not read it (401,
// 403) or asks it wrongly (400); a tampered link and a token used for the
// other purpose (404, on GET and POST); the confirmation link's GET, as a
// page and as JSON, which confirms nothing, then the POST that does (by
// form field and by query, then a malformed form, 400); the unsubscribe
// link's GET, which changes nothing, then a mail client's one-click POST
// to the listing's unsubscribe_url, and again; the old confirmation link
// after it (409); and a sign-up again. Every answer of a link is no-store.
func checkSubscriberCalls(t *testing.T, env *apptest.Env, k *contract, admin *apptest.Client, box *apptest.Mailbox, bodyLimit int) {
	t.Helper()
	ctx := context.Background()
	anon := env.Anonymous()
	const signUp = "/delivery/v1/subscribers"
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "weekly-letter", "name": "Weekly Letter", "kind": "newsletter"}, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "a-blog", "name": "A Blog", "kind": "blog"}, http.StatusCreated)

	// Refused sign-ups: nothing is queued.
	for _, bad := range []any{
		map[string]any{"email": "not-an-address", "series": "weekly-letter"},
		map[string]any{"email": "Reader <reader@example.org>", "series": "weekly-letter"},
		map[string]any{"email": "reader@example.org", "series": "no-such-series"},
		map[string]any{"email": "reader@example.org"},
		map[string]any{"email": "reader@example.org", "series": "weekly-letter", "name": "Reader"},
		map[string]any{"email": 5, "series": "weekly-letter"},
		map[string]any{"email": "reader@[192.0.2.1]", "series": "weekly-letter"},
		map[string]any{"email": "reader@localhost", "series": "weekly-letter"},
		map[string]any{"email": "reader@example", "series": "weekly-letter"},
		map[string]any{"email": "reader@example.org", "series": "a-blog"},
		`{"email":`,
	} {
		k.do(anon, "POST", signUp, bad, http.StatusBadRequest)
	}
	k.do(anon, "POST", signUp, `{"email":"`+strings.Repeat("a", 2*bodyLimit)+`@example.org","series":"weekly-letter"}`, http.StatusRequestEntityTooLarge)
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("refused sign-ups: sent %d mail, %v; want none", n, err)
	}

	// Sign-ups: the same answer for a new and a pending address, and for a
	// form on another site (CORS); one confirmation mail.
	sign := map[string]any{"email": " Reader@Example.org ", "series": "weekly-letter"}
	first := k.do(anon, "POST", signUp, sign, http.StatusAccepted, "Origin", "https://reader.example")
	if got := first.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("POST %s with Origin: Access-Control-Allow-Origin %q, want *", signUp, got)
	}
	if again := k.do(anon, "POST", signUp, sign, http.StatusAccepted); !bytes.Equal(first.Body, again.Body) {
		t.Errorf("sign-up answers differ: %s / %s", first.Body, again.Body)
	}
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("sent %d mail, %v; want one confirmation (the second sign-up within the hour sends none)", n, err)
	}
	msgs := box.Take()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "reader@example.org") {
		t.Fatalf("mailbox: %q", msgs)
	}
	confirm := confirmLinkRE.FindString(msgs[0])
	if confirm == "" {
		t.Fatalf("no confirmation link in %q", msgs[0])
	}

	// The admin listing, with each subscriber's way out.
	type subscriber struct {
		Email          string `json:"email"`
		Status         string `json:"status"`
		UnsubscribeURL string `json:"unsubscribe_url"`
	}
	var list struct {
		Data  []subscriber `json:"data"`
		Total int          `json:"total"`
	}
	k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter&status=pending&limit=10&offset=0", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || len(list.Data) != 1 || list.Data[0].Email != "reader@example.org" || list.Data[0].Status != "pending" {
		t.Fatalf("pending subscribers: %+v", list)
	}
	out, err := url.Parse(list.Data[0].UnsubscribeURL)
	if err != nil || out.Path != "/delivery/v1/subscribers/unsubscribe" || out.Query().Get("token") == "" {
		t.Fatalf("unsubscribe_url %q", list.Data[0].UnsubscribeURL)
	}
	if !strings.Contains(msgs[0], list.Data[0].UnsubscribeURL) {
		t.Errorf("the confirmation mail does not carry the way out %s: %q", list.Data[0].UnsubscribeURL, msgs[0])
	}
	k.do(admin, "GET", "/api/v1/subscribers", nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/subscribers?series=no-such-series", nil, http.StatusOK).Decode(&list)
	if list.Total != 0 || len(list.Data) != 0 {
		t.Errorf("an unknown series' list: %+v", list)
	}
	for _, bad := range []string{"status=bogus", "limit=0", "limit=1001", "limit=many", "offset=-1"} {
		k.do(admin, "GET", "/api/v1/subscribers?"+bad, nil, http.StatusBadRequest)
	}
	k.do(env.CreateUser("list-editor@example.org", "editor:weekly-letter"), "GET", "/api/v1/subscribers", nil, http.StatusForbidden)
	k.do(anon, "GET", "/api/v1/subscribers", nil, http.StatusUnauthorized)

	// Confirmation: a tampered token, a missing one and an unsubscribe
	// token are not found, on GET and POST, and change nothing.
	_, token, _ := strings.Cut(out.RawQuery, "token=")
	_, confirmToken, _ := strings.Cut(confirm, "token=")
	const asJSON, asForm = "application/json", "application/x-www-form-urlencoded"
	k.do(anon, "GET", confirm+"x", nil, http.StatusNotFound)
	k.do(anon, "GET", "/delivery/v1/subscribers/confirm", nil, http.StatusNotFound)
	k.do(anon, "GET", "/delivery/v1/subscribers/confirm?token="+token, nil, http.StatusNotFound)
	k.do(anon, "POST", confirm+"x", nil, http.StatusNotFound)
	k.do(anon, "POST", "/delivery/v1/subscribers/confirm", "token="+confirmToken+"x", http.StatusNotFound, "Content-Type", asForm)
	k.do(anon, "POST", "/delivery/v1/subscribers/unsubscribe?token="+confirmToken, nil, http.StatusNotFound)
	status := func(want string) {
		t.Helper()
		var list struct {
			Data []subscriber `json:"data"`
		}
		k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter", nil, http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Status != want {
			t.Fatalf("subscribers: %+v, want one %s", list.Data, want)
		}
	}
	status("pending")

	// The mailed link, fetched (by a person or a mail scanner), confirms
	// nothing: a page with the button, or the pending action as JSON.
	page := k.do(anon, "GET", confirm, nil, http.StatusOK)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !bytes.Contains(page.Body, []byte(`<form method="post">`)) ||
		page.Header.Get("Cache-Control") != "no-store" || page.Header.Get("ETag") != "" {
		t.Errorf("confirmation page: %s, headers %v", page.Body, page.Header)
	}
	var pending struct {
		Action string `json:"action"`
		Series string `json:"series"`
		Status string `json:"status"`
	}
	k.do(anon, "GET", confirm, nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Action != "confirm" || pending.Series != "weekly-letter" || pending.Status != "pending" {
		t.Errorf("confirmation link as JSON: %+v", pending)
	}
	status("pending")

	// The POST confirms: the page's form, then the link itself, again.
	var state struct {
		Status string `json:"status"`
		Series string `json:"series"`
	}
	done := k.do(anon, "POST", "/delivery/v1/subscribers/confirm", "token="+confirmToken, http.StatusOK, "Content-Type", asForm, "Accept", asJSON)
	done.Decode(&state)
	if state.Status != "confirmed" || state.Series != "weekly-letter" || done.Header.Get("Cache-Control") != "no-store" || done.Header.Get("ETag") != "" {
		t.Errorf("confirm: %s, headers %v", done.Body, done.Header)
	}
	status("confirmed")
	if again := k.do(anon, "POST", confirm, nil, http.StatusOK); !bytes.Contains(again.Body, []byte("You are subscribed to Weekly Letter")) {
		t.Errorf("confirm again: %s", again.Body)
	}
	k.do(anon, "POST", confirm, "token=%zz", http.StatusBadRequest, "Content-Type", asForm)
	k.do(anon, "GET", confirm, nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Status != "confirmed" {
		t.Errorf("confirmation link once confirmed: %+v", pending)
	}
	k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter&status=confirmed", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || list.Data[0].UnsubscribeURL != out.String() {
		t.Fatalf("confirmed subscribers: %+v", list)
	}
	// A confirmed address signing up again: the same answer, no mail.
	if again := k.do(anon, "POST", signUp, sign, http.StatusAccepted); !bytes.Equal(first.Body, again.Body) {
		t.Errorf("sign-up answers differ for a confirmed address: %s / %s", first.Body, again.Body)
	}
	if n, _ := env.App.Mailer.SendDue(ctx); n != 0 {
		t.Errorf("mailed a confirmed subscriber again")
	}

	// The way out: fetching it changes nothing; a mail client's one-click
	// POST (RFC 8058) leaves, and again; the old confirmation does not
	// undo it.
	k.do(anon, "GET", out.RequestURI()+"x", nil, http.StatusNotFound)
	if page := k.do(anon, "GET", out.RequestURI(), nil, http.StatusOK); !bytes.Contains(page.Body, []byte("Unsubscribe from Weekly Letter")) {
		t.Errorf("unsubscribe page: %s", page.Body)
	}
	k.do(anon, "GET", out.RequestURI(), nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Action != "unsubscribe" || pending.Status != "confirmed" {
		t.Errorf("unsubscribe link as JSON: %+v", pending)
	}
	status("confirmed")
	k.do(anon, "POST", out.RequestURI()+"x", "List-Unsubscribe=One-Click", http.StatusNotFound, "Content-Type", asForm)
	status("confirmed")
	left := k.do(anon, "POST", out.RequestURI(), "List-Unsubscribe=One-Click", http.StatusOK, "Content-Type", asForm)
	left.Decode(&state)
	if state.Status != "unsubscribed" || state.Series != "weekly-letter" || left.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("one-click unsubscribe: %s, headers %v", left.Body, left.Header)
	}
	k.do(anon, "POST", out.RequestURI(), "List-Unsubscribe=One-Click", http.StatusOK, "Content-Type", asForm).Decode(&state)
	if state.Status != "unsubscribed" {
		t.Errorf("unsubscribe again: %+v", state)
	}
	k.do(anon, "GET", out.RequestURI(), nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Status != "unsubscribed" {
		t.Errorf("unsubscribe link once unsubscribed: %+v", pending)
	}
	k.do(anon, "GET", confirm, nil, http.StatusConflict)
	k.do(anon, "POST", confirm, nil, http.StatusConflict, "Accept", asJSON)
	k.do(admin, "GET", "/api/v1/subscribers?status=unsubscribed", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || list.Data[0].Status != "unsubscribed" {
		t.Errorf("unsubscribed subscribers: %+v", list)
	}

	// Signing up again is the way back: pending, and a new link is mailed.
	k.do(anon, "POST", signUp, sign, http.StatusAccepted)
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 1 || len(box.Take()) != 1 {
		t.Errorf("sign-up after unsubscribing: sent %d mail, %v; want a new confirmation", n, err)
	}
	k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || list.Data[0].Status != "pending" {
		t.Errorf("after signing up again: %+v", list)
	}

	// The fifth sign-up from this client in ten minutes is its last: the
	// sixth is 429 with Retry-After, and mails nothing.
	k.do(anon, "POST", signUp, map[string]any{"email": "another@example.org", "series": "weekly-letter"}, http.StatusAccepted)
	throttled := k.do(anon, "POST", signUp, map[string]any{"email": "a-third@example.org", "series": "weekly-letter"}, http.StatusTooManyRequests)
	if throttled.Header.Get("Retry-After") == "" {
		t.Errorf("a throttled sign-up has no Retry-After: %v", throttled.Header)
	}
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 1 || len(box.Take()) != 1 {
		t.Errorf("after a taken and a throttled sign-up: sent %d mail, %v; want the one confirmation", n, err)
	}
}
