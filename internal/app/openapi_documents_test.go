package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// checkContentCalls plays the content model and the editorial workflow
// (SPEC §2, §3 and §5's core calls) through the contract: series, content
// types, contributors, and one briefing from draft to published, with the
// If-Match rules (428, 412), workflow conflicts (409), permissions (403,
// and 404 for a document the caller may not see), credits, revisions,
// diffs, comments and events.
func checkContentCalls(t *testing.T, env *apptest.Env, k *contract, admin *apptest.Client) {
	t.Helper()

	// Series.
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "the-peninsula", "name": "The Peninsula", "kind": "blog"}, http.StatusCreated)
	koreaView := map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter", "parent": "the-peninsula",
		"about": "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute."}
	k.calls(
		call{admin, "POST", "/api/v1/series", koreaView, http.StatusCreated},
		call{admin, "POST", "/api/v1/series", koreaView, http.StatusConflict},
		call{admin, "POST", "/api/v1/series", map[string]any{"slug": "Not A Slug", "name": "X", "kind": "zine"}, http.StatusBadRequest},
		call{admin, "GET", "/api/v1/series", nil, http.StatusOK},
		call{admin, "GET", "/api/v1/series/korea-view", nil, http.StatusOK},
		call{admin, "GET", "/api/v1/series/no-such-series", nil, http.StatusNotFound},
		call{admin, "PATCH", "/api/v1/series/the-peninsula", map[string]any{"description": "A blog of the Korea Economic Institute.", "name": nil}, http.StatusOK},
		call{admin, "PATCH", "/api/v1/series/no-such-series", map[string]any{"name": "X"}, http.StatusNotFound},
	)

	author := env.CreateUser("author@example.org", "author:korea-view")
	otherAuthor := env.CreateUser("other-author@example.org", "author:korea-view")
	editor := env.CreateUser("editor@example.org", "editor:the-peninsula")
	publisher := env.CreateUser("publisher@example.org", "publisher:korea-view")
	k.do(author, "POST", "/api/v1/series", map[string]any{"slug": "mine", "name": "Mine", "kind": "blog"}, http.StatusForbidden)

	// Content types.
	k.calls(
		call{author, "GET", "/api/v1/content-types", nil, http.StatusOK},
		call{author, "GET", "/api/v1/content-types/briefing", nil, http.StatusOK},
		call{author, "GET", "/api/v1/content-types/no_such_type", nil, http.StatusNotFound},
	)
	note := map[string]any{"name": "note", "label": "Note", "fields": []map[string]any{
		{"name": "body", "kind": "rich_text", "required": true},
		{"name": "links", "label": "Links", "kind": "text_list", "max_length": 500},
	}}
	k.calls(
		call{admin, "POST", "/api/v1/content-types", note, http.StatusCreated},
		call{admin, "POST", "/api/v1/content-types", note, http.StatusConflict},
		call{admin, "POST", "/api/v1/content-types", map[string]any{"name": "Bad Name", "label": "", "fields": []any{}}, http.StatusBadRequest},
		call{author, "POST", "/api/v1/content-types", map[string]any{"name": "mine", "label": "Mine", "fields": []map[string]any{{"name": "body", "kind": "text"}}}, http.StatusForbidden},
	)

	// Contributors: editors of any series add them.
	k.calls(
		call{editor, "POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}, http.StatusCreated},
		call{admin, "POST", "/api/v1/contributors", map[string]any{"name": "Melissa Cho", "slug": "melissa-cho", "bio": "Researcher.", "user_id": nil}, http.StatusCreated},
		call{admin, "POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}, http.StatusConflict},
		call{admin, "POST", "/api/v1/contributors", map[string]any{"bio": "No name."}, http.StatusBadRequest},
		call{author, "POST", "/api/v1/contributors", map[string]any{"name": "Someone"}, http.StatusForbidden},
		call{author, "GET", "/api/v1/contributors", nil, http.StatusOK},
		call{author, "GET", "/api/v1/contributors/yong-kwon", nil, http.StatusOK},
		call{author, "GET", "/api/v1/contributors/nobody", nil, http.StatusNotFound},
		call{editor, "PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"bio": "Editor of Korea View.", "user_id": editor.UserID}, http.StatusOK},
		call{editor, "PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"user_id": ""}, http.StatusOK},
		call{editor, "PATCH", "/api/v1/contributors/nobody", map[string]any{"bio": "?"}, http.StatusNotFound},
		call{editor, "PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"user_id": "no-such-user"}, http.StatusBadRequest},
	)

	// Documents: create (201 with ETag), list, read.
	type document struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
		State   string `json:"state"`
	}
	decodeDoc := func(r *apptest.Response) document {
		t.Helper()
		var d document
		r.Decode(&d)
		if got, want := r.Header.Get("ETag"), fmt.Sprintf(`"%d"`, d.Version); got != want {
			t.Errorf("ETag %q, want %q (body %s)", got, want, r.Body)
		}
		return d
	}
	ifMatch := func(d document) []string { return []string{"If-Match", fmt.Sprintf(`"%d"`, d.Version)} }
	briefing := map[string]any{
		"type": "briefing", "series": "korea-view", "title": "Beijing Calibrates Its Approach to Seoul",
		"topics": []string{"China", "South Korea"},
		"fields": map[string]any{
			"summary":       "China raised joint dialogue with South Korea and a future 2+2 meeting.",
			"what_happened": []string{"The Chinese FM raised the idea of joint dialogue.", "The two ministers discussed a 2+2 meeting."},
			"implications":  "China’s engagement seems focused on calibrating its position vis-à-vis Washington.",
		},
	}
	d := decodeDoc(k.do(author, "POST", "/api/v1/documents", briefing, http.StatusCreated))
	if d.Version != 1 || d.State != "draft" {
		t.Errorf("created %+v, want version 1 in draft", d)
	}
	k.do(author, "POST", "/api/v1/documents", briefing, http.StatusConflict) // the slug is taken
	k.calls(
		call{author, "POST", "/api/v1/documents", map[string]any{"type": "no_such_type", "series": "korea-view", "title": "T"}, http.StatusBadRequest},
		call{author, "POST", "/api/v1/documents", map[string]any{"type": "note", "series": "the-peninsula", "title": "T"}, http.StatusForbidden},
		call{author, "GET", "/api/v1/documents", nil, http.StatusOK},
		call{editor, "GET", "/api/v1/documents?series=the-peninsula&type=briefing&state=draft&topic=china&q=beijing&limit=1", nil, http.StatusOK},
		call{editor, "GET", "/api/v1/documents?limit=0", nil, http.StatusBadRequest},
		call{editor, "GET", "/api/v1/documents?cursor=not-a-cursor", nil, http.StatusBadRequest},
	)
	decodeDoc(k.do(author, "GET", "/api/v1/documents/"+d.ID, nil, http.StatusOK))
	k.do(otherAuthor, "GET", "/api/v1/documents/"+d.ID, nil, http.StatusNotFound) // not theirs: it does not exist
	k.do(author, "GET", "/api/v1/documents/no-such-document", nil, http.StatusNotFound)

	// Edits: If-Match (or version) is required, a stale one is refused.
	edit := map[string]any{"fields": map[string]any{"context": "Seoul stays close to members of the QUAD.", "implications": nil}, "message": "context"}
	k.do(author, "PATCH", "/api/v1/documents/"+d.ID, edit, http.StatusPreconditionRequired)
	stale := ifMatch(d)
	d = decodeDoc(k.do(author, "PATCH", "/api/v1/documents/"+d.ID, edit, http.StatusOK, stale...))
	if d.Version != 2 {
		t.Errorf("after PATCH: version %d, want 2", d.Version)
	}
	k.do(author, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Lost update"}, http.StatusPreconditionFailed, stale...)
	d = decodeDoc(k.do(author, "PATCH", "/api/v1/documents/"+d.ID,
		map[string]any{"fields": map[string]any{"implications": "Beijing calibrates."}, "topics": []string{"china", "diplomacy"}, "version": d.Version}, http.StatusOK))
	k.do(author, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": ""}, http.StatusBadRequest, ifMatch(d)...)
	k.do(otherAuthor, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Mine"}, http.StatusNotFound, ifMatch(d)...)

	// Workflow: submit, a conflict, a refusal, credits, approve, publish.
	d = decodeDoc(k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}, http.StatusOK))
	k.calls(
		call{author, "POST", "/api/v1/documents/" + d.ID + "/transitions", map[string]any{"action": "submit"}, http.StatusConflict},
		call{author, "POST", "/api/v1/documents/" + d.ID + "/transitions", map[string]any{"action": "approve"}, http.StatusForbidden},
		call{author, "POST", "/api/v1/documents/" + d.ID + "/transitions", map[string]any{"action": "fly"}, http.StatusBadRequest},
	)
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}, http.StatusPreconditionFailed, stale...)

	k.do(editor, "GET", "/api/v1/documents/"+d.ID+"/credits", nil, http.StatusOK)
	credits := []map[string]string{{"role": "editor", "contributor": "yong-kwon"}, {"role": "contributor", "contributor": "melissa-cho"}}
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusPreconditionRequired)
	k.do(author, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusForbidden, ifMatch(d)...)
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{{"role": "editor", "contributor": "nobody"}}, http.StatusBadRequest, ifMatch(d)...)
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusOK, ifMatch(d)...)
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusPreconditionFailed, ifMatch(d)...)
	d = decodeDoc(k.do(editor, "GET", "/api/v1/documents/"+d.ID, nil, http.StatusOK))

	d = decodeDoc(k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve", "note": "Good to go"}, http.StatusOK, ifMatch(d)...))
	if d.State != "approved" {
		t.Errorf("after approve: state %q", d.State)
	}
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "schedule", "at": "2000-01-01T00:00:00Z"}, http.StatusBadRequest)
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "schedule", "at": "2999-01-01T09:00:00Z"}, http.StatusBadRequest)
	nextYear := fmt.Sprintf("%d-01-01T09:00:00Z", time.Now().Year()+1)
	d = decodeDoc(k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "schedule", "at": nextYear}, http.StatusOK))
	d = decodeDoc(k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unschedule"}, http.StatusOK))
	d = decodeDoc(k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}, http.StatusOK))
	if d.State != "published" {
		t.Errorf("after publish: state %q", d.State)
	}

	// The newsletter: the HTML preview, and a test send to oneself only.
	edition := "/api/v1/documents/" + d.ID
	k.calls(
		call{author, "GET", edition + "/newsletter-preview", nil, http.StatusOK},
		call{editor, "GET", edition + "/newsletter-preview?series=the-peninsula", nil, http.StatusBadRequest},
		call{otherAuthor, "GET", edition + "/newsletter-preview", nil, http.StatusNotFound},
		call{publisher, "POST", edition + "/test-send", nil, http.StatusAccepted},
		call{editor, "POST", edition + "/test-send", map[string]any{"series": "korea-view"}, http.StatusAccepted},
		call{editor, "POST", edition + "/test-send", map[string]any{"series": "no-such-series"}, http.StatusBadRequest},
		call{author, "POST", edition + "/test-send", nil, http.StatusForbidden},
		call{otherAuthor, "POST", edition + "/test-send", nil, http.StatusNotFound},
	)

	// Revisions: list, one, diff, restore.
	k.calls(
		call{author, "GET", "/api/v1/documents/" + d.ID + "/revisions", nil, http.StatusOK},
		call{author, "GET", "/api/v1/documents/" + d.ID + "/revisions/1", nil, http.StatusOK},
		call{author, "GET", "/api/v1/documents/" + d.ID + "/revisions/x", nil, http.StatusBadRequest},
		call{author, "GET", "/api/v1/documents/" + d.ID + "/revisions/99", nil, http.StatusNotFound},
		call{otherAuthor, "GET", "/api/v1/documents/" + d.ID + "/revisions", nil, http.StatusNotFound},
	)
	diff := k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions/1/diff/4", nil, http.StatusOK).JSON()
	if changes, _ := diff["changes"].([]any); len(changes) == 0 {
		t.Errorf("diff 1 → 4: no changes in %v", diff)
	}
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions/1/diff/99", nil, http.StatusNotFound)
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/revisions/1/restore", nil, http.StatusPreconditionRequired)
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/revisions/1/restore", nil, http.StatusForbidden, ifMatch(d)...) // it would drop the credits
	d = decodeDoc(k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/revisions/1/restore", nil, http.StatusOK, ifMatch(d)...))
	if d.State != "draft" {
		t.Errorf("after restoring into a published document: state %q, want draft", d.State)
	}

	// Comments and events.
	var comment struct {
		ID string `json:"id"`
	}
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/comments", map[string]any{"field": "summary", "body": "Tighten this."}, http.StatusCreated).Decode(&comment)
	k.calls(
		call{editor, "POST", "/api/v1/documents/" + d.ID + "/comments", map[string]any{"body": ""}, http.StatusBadRequest},
		call{otherAuthor, "POST", "/api/v1/documents/" + d.ID + "/comments", map[string]any{"body": "Hi"}, http.StatusNotFound},
		call{author, "GET", "/api/v1/documents/" + d.ID + "/comments", nil, http.StatusOK},
		call{author, "POST", "/api/v1/documents/" + d.ID + "/comments/" + comment.ID + "/resolve", nil, http.StatusOK},
		call{author, "POST", "/api/v1/documents/" + d.ID + "/comments/no-such-comment/resolve", nil, http.StatusNotFound},
		call{author, "GET", "/api/v1/documents/" + d.ID + "/comments", nil, http.StatusOK},
		call{author, "GET", "/api/v1/documents/" + d.ID + "/events", nil, http.StatusOK},
		call{otherAuthor, "GET", "/api/v1/documents/" + d.ID + "/events", nil, http.StatusNotFound},
	)

	// Deleting: If-Match required, never a live document.
	k.do(editor, "DELETE", "/api/v1/documents/"+d.ID, nil, http.StatusPreconditionRequired)
	k.do(editor, "DELETE", "/api/v1/documents/"+d.ID, nil, http.StatusConflict, ifMatch(d)...)
	draft := decodeDoc(k.do(otherAuthor, "POST", "/api/v1/documents", map[string]any{"type": "note", "series": "korea-view", "title": "A note"}, http.StatusCreated))
	k.do(publisher, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusForbidden, ifMatch(draft)...)
	k.do(otherAuthor, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusPreconditionFailed, "If-Match", `"7"`)
	k.do(otherAuthor, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusNoContent, ifMatch(draft)...)
	k.do(otherAuthor, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusNotFound, ifMatch(draft)...)
}
