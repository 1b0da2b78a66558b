package content_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// fiveApproved creates five approved briefings and returns them with
// their ids.
func (f *schedFixture) fiveApproved(t *testing.T) ([]content.Document, []string) {
	t.Helper()
	var docs []content.Document
	var ids []string
	for i := range 5 {
		d := f.approved(t, fmt.Sprintf("Launch piece %d", i))
		docs, ids = append(docs, d), append(ids, d.ID)
	}
	return docs, ids
}

// wantUntouched checks that none of docs changed: same version, nothing
// live, no publish or clock event.
func (f *schedFixture) wantUntouched(t *testing.T, docs []content.Document) {
	t.Helper()
	for _, d := range docs {
		got, err := f.b.db.FindDocument(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.LiveRevision != nil || got.Version != d.Version || got.State != d.State {
			t.Errorf("%q: state %s live %v version %d, want it as it was (%s, version %d)",
				d.Title, got.State, got.LiveRevision, got.Version, d.State, d.Version)
		}
		evs, err := f.b.db.FindEvents(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Action == "publish" || e.Action == "clock" {
				t.Errorf("%q has a %s event", d.Title, e.Action)
			}
		}
	}
}

func TestPublishTogetherPublishesEveryDocument(t *testing.T) {
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		docs, ids := f.fiveApproved(t)
		var seen []content.Document
		got, err := f.a.svc.PublishTogether(f.ctx, f.publisher, ids, workflow.Publish, "release",
			func(_ context.Context, _ content.Store, docs []content.Document) error {
				seen = docs
				return nil
			})
		if err != nil {
			t.Fatalf("publish together: %v", err)
		}
		if len(got) != 5 || len(seen) != 5 {
			t.Fatalf("got %d documents, within saw %d, want 5", len(got), len(seen))
		}
		for i, d := range docs {
			after, err := f.b.db.FindDocument(f.ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.State != workflow.Published || after.LiveRevision == nil || *after.LiveRevision != *d.ApprovedRevision ||
				after.Version != d.Version+1 || got[i].ID != d.ID || got[i].State != workflow.Published {
				t.Errorf("%q: state %s live %v version %d", d.Title, after.State, after.LiveRevision, after.Version)
			}
		}
		// Again: every item is live in its approved revision, so nothing
		// blocks and nothing changes.
		if _, err := f.a.svc.PublishTogether(f.ctx, f.publisher, ids, workflow.Publish, "release", nil); err != nil {
			t.Fatalf("publish again: %v", err)
		}
		for _, d := range docs {
			after, _ := f.b.db.FindDocument(f.ctx, d.ID)
			if after.Version != d.Version+1 {
				t.Errorf("%q published twice: version %d", d.Title, after.Version)
			}
		}
	})
}

func TestPublishTogetherOneBlockedPublishesNone(t *testing.T) {
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		docs, ids := f.fiveApproved(t)
		// An edit after approval returns the document to review.
		title := "Launch piece 2, edited"
		edited, err := f.a.svc.UpdateDocument(f.ctx, f.editor, docs[2].ID, docs[2].Version, content.DocumentPatch{Title: &title})
		if err != nil {
			t.Fatalf("edit: %v", err)
		}
		docs[2] = edited
		_, err = f.a.svc.PublishTogether(f.ctx, f.publisher, ids, workflow.Publish, "release", nil)
		var e *cms.Error
		if !errors.As(err, &e) || e.Code != cms.CodeConflict || len(e.Blockers) != 1 {
			t.Fatalf("publish together: %v, want a conflict with one blocker", err)
		}
		if b := e.Blockers[0]; b.DocumentID != edited.ID || b.Title != title || b.Reason != "not_approved" {
			t.Errorf("blocker %+v, want %s %q not_approved", b, edited.ID, title)
		}
		f.wantUntouched(t, docs)
	})
}

// conflictingStore fails the update of one document inside the
// transaction, as a concurrent write would.
type conflictingStore struct {
	content.Store
	failID string
}

func (s conflictingStore) DocumentTx(ctx context.Context, fn func(tx content.Store) error) error {
	return s.Store.DocumentTx(ctx, func(tx content.Store) error {
		return fn(conflictingStore{Store: tx, failID: s.failID})
	})
}

func (s conflictingStore) UpdateDocument(ctx context.Context, d content.Document, prev int) error {
	if d.ID == s.failID {
		return cms.Errorf(cms.CodePreconditionFailed, "changed meanwhile")
	}
	return s.Store.UpdateDocument(ctx, d, prev)
}

// TestPublishTogetherFailingMidwayPublishesNone: the fourth document's
// update fails after three went live inside the transaction; all of it
// rolls back.
func TestPublishTogetherFailingMidwayPublishesNone(t *testing.T) {
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		docs, ids := f.fiveApproved(t)
		svc := content.NewService(conflictingStore{Store: f.a.db, failID: ids[3]}, f.a.en, content.Deps{})
		_, err := svc.PublishTogether(f.ctx, f.publisher, ids, workflow.Publish, "release", nil)
		if !cms.IsCode(err, cms.CodePreconditionFailed) {
			t.Fatalf("publish together: %v, want the conflict", err)
		}
		f.wantUntouched(t, docs)

		// So does a failure of the caller's own write at the end.
		_, err = f.a.svc.PublishTogether(f.ctx, f.publisher, ids, workflow.Publish, "release",
			func(context.Context, content.Store, []content.Document) error { return errors.New("release row") })
		if err == nil {
			t.Fatal("publish together succeeded although within failed")
		}
		f.wantUntouched(t, docs)
	})
}
