package management_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// revisionSummary is a revision as the list shows it (issue 18).
type revisionSummary struct {
	Number     int       `json:"number"`
	Title      string    `json:"title"`
	AuthorID   string    `json:"author_id"`
	Message    string    `json:"message"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Writes     int       `json:"writes"`
	Checkpoint bool      `json:"checkpoint"`
	Actions    []string  `json:"actions"`
	Fields     map[string]any
	Changed    struct {
		Fields  []string `json:"fields"`
		Added   int      `json:"added"`
		Removed int      `json:"removed"`
	} `json:"changed"`
}

func summaries(t *testing.T, c *apptest.Client, id string) []revisionSummary {
	t.Helper()
	var body struct{ Data []revisionSummary }
	c.Do("GET", "/api/v1/documents/"+id+"/revisions", nil).Want(http.StatusOK).Decode(&body)
	return body.Data
}

func TestRevisionsCoalesce(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		t0 := time.Now().UTC().Truncate(time.Second)
		at := t0
		env.App.Content.SetClock(func() time.Time { return at })
		d := createBriefing(t, n.writer, "Seoul talks", func(b map[string]any) {
			b["fields"].(map[string]any)["summary"] = "The ministers met."
		})
		id := d.ID
		edit := func(c *apptest.Client, after time.Duration, body map[string]any) docFull {
			t.Helper()
			at = t0.Add(after)
			d = decodeFull(t, patchDoc(c, id, d.Version, body).Want(http.StatusOK))
			return d
		}
		// Autosaves by the writer in the ten minutes after revision 1's
		// first write amend it; the version moves on each.
		edit(n.writer, time.Minute, map[string]any{"title": "Seoul talks r"})
		edit(n.writer, 2*time.Minute, map[string]any{"title": "Seoul talks resume"})
		edit(n.writer, 9*time.Minute, map[string]any{"fields": map[string]any{"summary": "The ministers met. They agreed."}})
		if d.HeadRevision != 1 || d.Version != 4 {
			t.Fatalf("after three autosaves: head %d version %d, want 1 and 4", d.HeadRevision, d.Version)
		}
		revs := summaries(t, n.writer, id)
		if len(revs) != 1 || revs[0].Writes != 4 || !revs[0].CreatedAt.Equal(t0) || !revs[0].UpdatedAt.Equal(t0.Add(9*time.Minute)) ||
			revs[0].Title != "Seoul talks resume" || revs[0].Fields["summary"] != "The ministers met. They agreed." {
			t.Fatalf("coalesced revision: %+v", revs)
		}
		// Every write is still an event of the audit trail.
		if evs := listEvents(t, n.writer, id); len(evs) != 4 {
			t.Errorf("%d events, want 4 (create and three edits)", len(evs))
		}

		// Ten minutes after the first write, a new revision starts.
		edit(n.writer, 10*time.Minute, map[string]any{"fields": map[string]any{"summary": "The ministers met. They agreed. More."}})
		if d.HeadRevision != 2 {
			t.Fatalf("after the window: head %d, want 2", d.HeadRevision)
		}
		revs = summaries(t, n.writer, id)
		if c := revs[1].Changed; !slices.Equal(c.Fields, []string{"fields.summary"}) || c.Added != 6 || c.Removed != 0 {
			t.Errorf("revision 2 changed %+v, want fields.summary +6 −0", c)
		}
		// A checkpoint starts a revision and is never amended.
		edit(n.writer, 11*time.Minute, map[string]any{"title": "Seoul talks resume today", "checkpoint": true})
		edit(n.writer, 12*time.Minute, map[string]any{"title": "Seoul talks resume on Tuesday"})
		if d.HeadRevision != 4 {
			t.Fatalf("after a checkpoint and an edit: head %d, want 4", d.HeadRevision)
		}
		// A note starts one too, and is never amended.
		edit(n.writer, 13*time.Minute, map[string]any{"title": "Talks resume", "message": "shorter"})
		edit(n.writer, 14*time.Minute, map[string]any{"title": "Talks resume in Seoul"})
		if d.HeadRevision != 6 {
			t.Fatalf("after a note and an edit: head %d, want 6", d.HeadRevision)
		}
		// Another person's write starts one, and so does the first
		// person's write after it.
		edit(n.editor, 15*time.Minute, map[string]any{"title": "Talks resume in Seoul, at last"})
		edit(n.writer, 16*time.Minute, map[string]any{"title": "Talks resume in Seoul"})
		if d.HeadRevision != 8 {
			t.Fatalf("after the editor's and the writer's edit: head %d, want 8", d.HeadRevision)
		}
		// A submitted revision is never amended: it stays what the editor
		// was asked to approve.
		at = t0.Add(17 * time.Minute)
		submitted := moveDoc(t, n.writer, id, "submit")
		d = submitted
		edit(n.editor, 18*time.Minute, map[string]any{"title": "Talks resume in Seoul today"})
		edit(n.editor, 19*time.Minute, map[string]any{"title": "Talks resume in Seoul this week"})
		if d.HeadRevision != 9 {
			t.Fatalf("after two edits past the submission: head %d, want 9", d.HeadRevision)
		}
		revs = summaries(t, n.writer, id)
		if r := revs[7]; r.Title != "Talks resume in Seoul" || !slices.Contains(r.Actions, "submit") {
			t.Errorf("the submitted revision 8: %+v", r)
		}
		if r := revs[8]; r.AuthorID != n.editor.UserID || r.Writes != 2 || len(r.Actions) != 0 {
			t.Errorf("revision 9: %+v", r)
		}
		// A restore is a revision of its own, never amended.
		at = t0.Add(20 * time.Minute)
		d = decodeFull(t, n.editor.Do("POST", "/api/v1/documents/"+id+"/revisions/8/restore", nil, "If-Match", versionTag(d.Version)).Want(http.StatusOK))
		edit(n.editor, 21*time.Minute, map[string]any{"title": "Talks resume"})
		if d.HeadRevision != 11 {
			t.Fatalf("after a restore and an edit: head %d, want 11", d.HeadRevision)
		}
		revs = summaries(t, n.writer, id)
		if r := revs[9]; r.Title != "Talks resume in Seoul" || !slices.Contains(r.Actions, "restore") {
			t.Errorf("the restore, revision 10: %+v", r)
		}
		// A bad checkpoint is refused and changes nothing.
		r := patchDoc(n.editor, id, d.Version, map[string]any{"title": "X", "checkpoint": "yes"})
		wantProblem(t, r, http.StatusBadRequest, "invalid")
		if got := getDoc(t, n.editor, id); got.Version != d.Version || got.Title != "Talks resume" {
			t.Errorf("a refused write changed the document: %+v", got)
		}
	})
}

func TestMergeKeepsBoth(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Seoul talks", func(b map[string]any) {
			b["fields"].(map[string]any)["context"] = "Seoul hosted the talks. Beijing sent its minister."
		})
		id := d.ID
		base := map[string]any{"title": d.Title, "slug": d.Slug, "fields": d.Fields, "topics": d.Topics}

		// The editor changes the title and the first sentence of the context.
		theirs := decodeFull(t, patchDoc(n.editor, id, d.Version, map[string]any{"title": "Seoul talks resume",
			"fields": map[string]any{"context": "Seoul hosted the second round. Beijing sent its minister."}}).Want(http.StatusOK))
		// The writer, on the old version, changed the summary and the
		// second sentence: their save is refused…
		mine := map[string]any{"fields": map[string]any{"summary": "The ministers met again.",
			"context": "Seoul hosted the talks. Beijing sent its foreign minister."}}
		wantProblem(t, patchDoc(n.writer, id, d.Version, mine), http.StatusPreconditionFailed, "precondition_failed")
		// …and the merge keeps both.
		mine["base"] = base
		got := decodeFull(t, n.writer.Do("POST", "/api/v1/documents/"+id+"/merge", mine).Want(http.StatusOK))
		if got.Title != "Seoul talks resume" || got.Fields["summary"] != "The ministers met again." ||
			got.Fields["context"] != "Seoul hosted the second round. Beijing sent its foreign minister." ||
			got.Version != theirs.Version+1 {
			t.Fatalf("merged: %+v", got)
		}

		// Both change the same words: a conflict naming the field, and
		// nothing saved.
		base = map[string]any{"title": got.Title, "slug": got.Slug, "fields": got.Fields, "topics": got.Topics}
		patchDoc(n.editor, id, got.Version, map[string]any{"title": "Talks resume",
			"fields": map[string]any{"context": "Seoul hosted the third round. Beijing sent its foreign minister."}}).Want(http.StatusOK)
		before := getDoc(t, n.writer, id)
		clash := map[string]any{"base": base, "title": "Seoul talks go on", "fields": map[string]any{
			"context": "Seoul hosted the final round. Beijing sent its foreign minister.", "implications": "Much."}}
		p := wantProblem(t, n.writer.Do("POST", "/api/v1/documents/"+id+"/merge", clash), http.StatusConflict, "conflict")
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, []string{"fields.context", "title"}) {
			t.Errorf("conflicting fields %v, want fields.context and title", fields)
		}
		if after := getDoc(t, n.writer, id); after.Version != before.Version || after.Fields["implications"] == "Much." {
			t.Errorf("a conflicting merge changed the document: %+v", after)
		}

		// "Save my version": overlaps take the caller's side, and what
		// only the other side changed stays.
		clash["prefer"] = "sideways"
		wantProblem(t, n.writer.Do("POST", "/api/v1/documents/"+id+"/merge", clash), http.StatusBadRequest, "invalid")
		clash["prefer"] = "mine"
		clash["fields"].(map[string]any)["summary"] = "The ministers met again."
		kept := decodeFull(t, n.writer.Do("POST", "/api/v1/documents/"+id+"/merge", clash).Want(http.StatusOK))
		if kept.Title != "Seoul talks go on" || kept.Fields["context"] != "Seoul hosted the final round. Beijing sent its foreign minister." ||
			kept.Fields["implications"] != "Much." || kept.Version != before.Version+1 {
			t.Errorf("my version over theirs: %+v", kept)
		}

		// Without a base there is nothing to merge against.
		wantProblem(t, n.writer.Do("POST", "/api/v1/documents/"+id+"/merge", map[string]any{"title": "X"}), http.StatusBadRequest, "invalid")
		// Another author's document is not found, merged or not.
		wantProblem(t, n.assistant.Do("POST", "/api/v1/documents/nope/merge", map[string]any{"base": base}), http.StatusNotFound, "not_found")
	})
}
