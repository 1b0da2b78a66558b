package management_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

type diffJSON struct {
	From    int `json:"from"`
	To      int `json:"to"`
	Changes []struct {
		Field  string `json:"field"`
		Before any    `json:"before"`
		After  any    `json:"after"`
		Ops    []struct {
			Op   string `json:"op"`
			Text string `json:"text"`
		} `json:"ops"`
	} `json:"changes"`
}

func getDiff(t *testing.T, c *apptest.Client, id string, a, b int) diffJSON {
	t.Helper()
	var d diffJSON
	c.Do("GET", fmt.Sprintf("/api/v1/documents/%s/revisions/%d/diff/%d", id, a, b), nil).Want(http.StatusOK).Decode(&d)
	return d
}

func (d diffJSON) fields() []string {
	out := []string{}
	for _, c := range d.Changes {
		out = append(out, c.Field)
	}
	return out
}

func getRevision(t *testing.T, c *apptest.Client, id string, n int) revisionJSON {
	t.Helper()
	var r revisionJSON
	c.Do("GET", fmt.Sprintf("/api/v1/documents/%s/revisions/%d", id, n), nil).Want(http.StatusOK).Decode(&r)
	return r
}

// sameContent compares the editable part of two revisions.
func sameContent(a, b revisionJSON) bool {
	return a.Title == b.Title && a.Slug == b.Slug && reflect.DeepEqual(a.Fields, b.Fields) &&
		reflect.DeepEqual(a.Topics, b.Topics) && reflect.DeepEqual(a.Byline, b.Byline) &&
		reflect.DeepEqual(a.Hero, b.Hero) && reflect.DeepEqual(a.Credits, b.Credits)
}

func TestRevisionsRecordCheckpoints(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Seoul talks begin today", func(b map[string]any) {
			b["fields"].(map[string]any)["summary"] = "The ministers met in Seoul on Tuesday."
			b["slug"] = "seoul-talks" // typed: it does not follow the title
		})
		id := d.ID
		revs := listRevisions(t, n.writer, id)
		if len(revs) != 1 || revs[0].Number != 1 || revs[0].Title != "Seoul talks begin today" || revs[0].AuthorID != n.writer.UserID {
			t.Fatalf("after create: %+v", revs)
		}

		// A write with a note or a checkpoint is a revision of its own:
		// title, fields, topics; and a credits change always is.
		d = decodeFull(t, patchDoc(n.writer, id, d.Version, map[string]any{"title": "Seoul talks resume today", "message": "better verb"}).Want(http.StatusOK))
		d = decodeFull(t, patchDoc(n.writer, id, d.Version, map[string]any{"fields": map[string]any{
			"summary": "The foreign ministers met in Seoul on Wednesday."}, "checkpoint": true}).Want(http.StatusOK))
		d = decodeFull(t, patchDoc(n.writer, id, d.Version, map[string]any{"topics": []string{"china", "korea"}, "checkpoint": true}).Want(http.StatusOK))
		if d.HeadRevision != 4 || d.Version != 4 {
			t.Fatalf("after three edits: head %d version %d", d.HeadRevision, d.Version)
		}
		r := n.editor.Do("PUT", "/api/v1/documents/"+id+"/credits",
			[]map[string]string{{"role": "editor", "contributor": "yong-kwon"}}, "If-Match", versionTag(d.Version)).Want(http.StatusOK)
		if r.Header.Get("ETag") != `"5"` {
			t.Errorf("credits ETag %q, want \"5\"", r.Header.Get("ETag"))
		}
		d = getDoc(t, n.writer, id)
		if d.HeadRevision != 5 {
			t.Fatalf("credits did not make a revision: head %d", d.HeadRevision)
		}

		revs = listRevisions(t, n.writer, id)
		if len(revs) != 5 {
			t.Fatalf("%d revisions, want 5", len(revs))
		}
		for i, rev := range revs {
			if rev.Number != i+1 || rev.DocumentID != id || rev.CreatedAt.IsZero() || rev.AuthorID == "" {
				t.Errorf("revision %d: %+v", i+1, rev)
			}
		}
		if revs[1].Message != "better verb" {
			t.Errorf("revision 2 message %q", revs[1].Message)
		}
		if revs[4].AuthorID != n.editor.UserID || len(revs[4].Credits) != 1 || revs[4].Credits[0].Contributor != "yong-kwon" {
			t.Errorf("revision 5: %+v", revs[4])
		}
		// Revisions are snapshots: revision 2 still has the old summary.
		if got := getRevision(t, n.writer, id, 2); got.Title != "Seoul talks resume today" ||
			got.Fields["summary"] != "The ministers met in Seoul on Tuesday." || len(got.Credits) != 0 {
			t.Errorf("revision 2: %+v", got)
		}
		wantProblem(t, n.writer.Do("GET", "/api/v1/documents/"+id+"/revisions/99", nil), http.StatusNotFound, "not_found")
		wantProblem(t, n.writer.Do("GET", "/api/v1/documents/"+id+"/revisions/zero", nil), http.StatusBadRequest, "invalid")
		// Another author does not learn the revisions exist.
		other := env.CreateUser("other@example.org", "author:korea-view")
		wantProblem(t, other.Do("GET", "/api/v1/documents/"+id+"/revisions", nil), http.StatusNotFound, "not_found")
		wantProblem(t, other.Do("GET", "/api/v1/documents/"+id+"/revisions/1", nil), http.StatusNotFound, "not_found")

		t.Run("diff", func(t *testing.T) {
			df := getDiff(t, n.writer, id, 1, 2)
			if df.From != 1 || df.To != 2 || fmt.Sprint(df.fields()) != "[title]" {
				t.Fatalf("diff 1/2: %+v", df)
			}
			ch := df.Changes[0]
			if ch.Before != "Seoul talks begin today" || ch.After != "Seoul talks resume today" {
				t.Errorf("title before/after: %v / %v", ch.Before, ch.After)
			}
			// Word ops: the equal and deleted runs rebuild the old text, the
			// equal and inserted runs the new, and the change is one word.
			var before, after strings.Builder
			var deleted, inserted []string
			for _, op := range ch.Ops {
				switch op.Op {
				case "equal":
					before.WriteString(op.Text)
					after.WriteString(op.Text)
				case "delete":
					before.WriteString(op.Text)
					deleted = append(deleted, strings.TrimSpace(op.Text))
				case "insert":
					after.WriteString(op.Text)
					inserted = append(inserted, strings.TrimSpace(op.Text))
				default:
					t.Errorf("unknown op %q", op.Op)
				}
			}
			if before.String() != "Seoul talks begin today" || after.String() != "Seoul talks resume today" {
				t.Errorf("ops rebuild %q → %q", before.String(), after.String())
			}
			if fmt.Sprint(deleted) != "[begin]" || fmt.Sprint(inserted) != "[resume]" {
				t.Errorf("ops delete %v insert %v, want [begin] and [resume]", deleted, inserted)
			}

			if df := getDiff(t, n.writer, id, 2, 3); fmt.Sprint(df.fields()) != "[fields.summary]" || len(df.Changes[0].Ops) == 0 {
				t.Errorf("diff 2/3: %+v", df)
			}
			if df := getDiff(t, n.writer, id, 1, 4); fmt.Sprint(df.fields()) != "[title topics fields.summary]" {
				t.Errorf("diff 1/4 changes %v, want title, topics, fields.summary", df.fields())
			}
			if df := getDiff(t, n.writer, id, 4, 5); fmt.Sprint(df.fields()) != "[credits]" {
				t.Errorf("diff 4/5 changes %v, want credits", df.fields())
			}
			// Backwards works, and a revision against itself has no changes.
			if df := getDiff(t, n.writer, id, 2, 1); df.From != 2 || df.To != 1 || fmt.Sprint(df.fields()) != "[title]" || df.Changes[0].After != "Seoul talks begin today" {
				t.Errorf("diff 2/1: %+v", df)
			}
			if df := getDiff(t, n.writer, id, 3, 3); len(df.Changes) != 0 {
				t.Errorf("diff 3/3: %+v", df)
			}
			wantProblem(t, n.writer.Do("GET", "/api/v1/documents/"+id+"/revisions/1/diff/99", nil), http.StatusNotFound, "not_found")
		})

		t.Run("restore", func(t *testing.T) {
			d := getDoc(t, n.editor, id)
			path := "/api/v1/documents/" + id + "/revisions/1/restore"
			wantProblem(t, n.editor.Do("POST", path, nil), http.StatusPreconditionRequired, "precondition_required")
			wantProblem(t, n.editor.Do("POST", path, nil, "If-Match", versionTag(d.Version-1)), http.StatusPreconditionFailed, "precondition_failed")
			if got := getDoc(t, n.editor, id); got.Version != d.Version {
				t.Fatalf("refused restores changed the version: %d", got.Version)
			}
			// The writer may not restore revision 1: that would drop the
			// credits, which only editors change.
			r := n.writer.Do("POST", path, nil, "If-Match", versionTag(d.Version))
			wantProblem(t, r, http.StatusForbidden, "forbidden")

			restored := decodeFull(t, n.editor.Do("POST", path, nil, "If-Match", versionTag(d.Version)).Want(http.StatusOK))
			if restored.HeadRevision != 6 || restored.Version != d.Version+1 || restored.Title != "Seoul talks begin today" || restored.State != "draft" {
				t.Fatalf("after restore: %+v", restored)
			}
			revs := listRevisions(t, n.editor, id)
			if len(revs) != 6 {
				t.Fatalf("%d revisions after restore, want 6 (restore adds one, rewrites none)", len(revs))
			}
			if !sameContent(revs[5], revs[0]) {
				t.Errorf("revision 6 %+v differs from revision 1 %+v", revs[5], revs[0])
			}
			if df := getDiff(t, n.editor, id, 1, 6); len(df.Changes) != 0 {
				t.Errorf("diff 1/6 after restoring 1: %v", df.fields())
			}
			if revs[4].Title != "Seoul talks resume today" || len(revs[4].Credits) != 1 {
				t.Errorf("restore rewrote revision 5: %+v", revs[4])
			}
			wantProblem(t, n.editor.Do("POST", "/api/v1/documents/"+id+"/revisions/42/restore", nil, "If-Match", versionTag(restored.Version)),
				http.StatusNotFound, "not_found")
			if events := eventActions(listEvents(t, n.editor, id)); events[len(events)-1] != "restore" {
				t.Errorf("events %v do not end with restore", events)
			}
		})
	})
}

func TestEditingLiveDocumentStartsNewDraft(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := publishedBriefing(t, n, "First edition")
		if d.State != "published" || d.LiveRevision == nil || *d.LiveRevision != 1 || d.HeadRevision != 1 {
			t.Fatalf("published: %+v", d)
		}
		d = decodeFull(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"title": "Second edition"}).Want(http.StatusOK))
		if d.State != "draft" || d.HeadRevision != 2 || d.LiveRevision == nil || *d.LiveRevision != 1 || d.Title != "Second edition" {
			t.Fatalf("after editing the live document: %+v", d)
		}
		if got := getRevision(t, n.writer, d.ID, *d.LiveRevision); got.Title != "First edition" {
			t.Errorf("live revision title %q", got.Title)
		}
		// The next revision goes through review again; publishing it moves
		// the live revision forward.
		moveDoc(t, n.writer, d.ID, "submit")
		a := moveDoc(t, n.editor, d.ID, "approve")
		if a.ApprovedRevision == nil || *a.ApprovedRevision != 2 || *a.LiveRevision != 1 {
			t.Fatalf("approved: %+v", a)
		}
		p := moveDoc(t, n.publisher, d.ID, "publish")
		if p.State != "published" || p.LiveRevision == nil || *p.LiveRevision != 2 {
			t.Fatalf("republished: %+v", p)
		}
	})
}

func TestEditorEditVoidsApproval(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := approvedBriefing(t, n, "Approved once")
		if d.ApprovedRevision == nil || *d.ApprovedRevision != 1 {
			t.Fatalf("approved: %+v", d)
		}
		// An assistant may not edit an approved document; the author neither.
		wantProblem(t, patchDoc(n.assistant, d.ID, d.Version, map[string]any{"title": "x"}), http.StatusForbidden, "forbidden")
		wantProblem(t, patchDoc(n.writer, d.ID, d.Version, map[string]any{"title": "x"}), http.StatusForbidden, "forbidden")

		e := decodeFull(t, patchDoc(n.editor, d.ID, d.Version, map[string]any{"title": "Approved once, then edited"}).Want(http.StatusOK))
		if e.State != "in_review" || e.ApprovedRevision != nil || e.HeadRevision != 2 {
			t.Fatalf("after the editor's edit: state %s approved %v head %d", e.State, e.ApprovedRevision, e.HeadRevision)
		}
		wantProblem(t, transition(n.publisher, e.doc, "publish"), http.StatusConflict, "conflict")
		wantProblem(t, transition(n.publisher, e.doc, "schedule", "at", fmt.Sprintf("%d-01-01T00:00:00Z", time.Now().Year()+1)), http.StatusConflict, "conflict")
		if got := getDoc(t, n.publisher, d.ID); got.State != "in_review" || got.LiveRevision != nil {
			t.Fatalf("a refused publish changed the document: %+v", got)
		}

		// The editor rewrote it, so another editor must approve it again
		// (four eyes, strictly); then the publish publishes exactly the
		// approved revision.
		wantProblem(t, transition(n.editor, e.doc, "approve"), http.StatusForbidden, "forbidden")
		second := env.CreateUser("second-editor@example.org", "editor:korea-view")
		a := moveDoc(t, second, d.ID, "approve")
		if a.ApprovedRevision == nil || *a.ApprovedRevision != 2 {
			t.Fatalf("re-approved: %+v", a)
		}
		p := moveDoc(t, n.publisher, d.ID, "publish")
		if p.State != "published" || p.LiveRevision == nil || *p.LiveRevision != *a.ApprovedRevision || *p.LiveRevision != p.HeadRevision {
			t.Fatalf("published: live %v approved %v head %d", p.LiveRevision, a.ApprovedRevision, p.HeadRevision)
		}
		if got := getRevision(t, n.publisher, d.ID, *p.LiveRevision); got.Title != "Approved once, then edited" {
			t.Errorf("live revision title %q", got.Title)
		}
		evs := listEvents(t, n.editor, d.ID)
		want := "[create submit approve edit approve publish]"
		if got := fmt.Sprint(eventActions(evs)); got != want {
			t.Errorf("events %s, want %s", got, want)
		}
		last := evs[len(evs)-1]
		if last.From != "approved" || last.To != "published" || last.Revision != 2 || last.ActorID != n.publisher.UserID {
			t.Errorf("publish event %+v", last)
		}
		// The edit event moved the document from approved back to review.
		if edit := evs[3]; edit.From != "approved" || edit.To != "in_review" || edit.Revision != 2 || edit.ActorID != n.editor.UserID {
			t.Errorf("edit event %+v", edit)
		}
	})
}

func TestScheduledDocumentCannotBeEdited(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := approvedBriefing(t, n, "Scheduled piece")
		wantInvalid(t, transition(n.publisher, d.doc, "schedule"), "at")
		wantInvalid(t, transition(n.publisher, d.doc, "schedule", "at", "2001-01-01T00:00:00Z"), "at")
		s := moveDoc(t, n.publisher, d.ID, "schedule", "at", fmt.Sprintf("%d-01-01T09:00:00Z", time.Now().Year()+1))
		if s.State != "scheduled" || s.ScheduledFor == nil || s.ScheduledFor.Year() != time.Now().Year()+1 {
			t.Fatalf("scheduled: %+v", s)
		}
		wantProblem(t, patchDoc(n.editor, d.ID, s.Version, map[string]any{"title": "x"}), http.StatusConflict, "conflict")
		u := moveDoc(t, n.publisher, d.ID, "unschedule")
		if u.State != "approved" || u.ScheduledFor != nil || u.ApprovedRevision == nil || *u.ApprovedRevision != 1 {
			t.Fatalf("unscheduled: %+v", u)
		}
	})
}
