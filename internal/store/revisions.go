package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

type revisionRow struct {
	DocumentID string
	Number     int
	Title      string
	Slug       string
	Fields     string
	Topics     string
	Byline     *string
	Hero       *string
	Credits    string
	AuthorID   string
	Message    string
	CreatedAt  time.Time
	// UpdatedAt is the last write the revision holds (NULL before
	// migration 36: the first); Writes how many.
	UpdatedAt  *time.Time
	Writes     int
	Checkpoint bool
}

func (revisionRow) TableName() string { return "revisions" }

func (r revisionRow) revision() (content.Revision, error) {
	rev := content.Revision{DocumentID: r.DocumentID, Number: r.Number, Title: r.Title, Slug: r.Slug,
		Byline: r.Byline, Hero: r.Hero, AuthorID: r.AuthorID, Message: r.Message, CreatedAt: r.CreatedAt,
		UpdatedAt: r.CreatedAt, Writes: max(r.Writes, 1), Checkpoint: r.Checkpoint}
	if r.UpdatedAt != nil {
		rev.UpdatedAt = *r.UpdatedAt
	}
	for _, part := range []struct {
		raw string
		dst any
	}{{r.Fields, &rev.Fields}, {r.Topics, &rev.Topics}, {r.Credits, &rev.Credits}} {
		if err := json.Unmarshal([]byte(part.raw), part.dst); err != nil {
			return rev, wrap(err)
		}
	}
	return rev, nil
}

// AddRevision stores a new revision.
func (db *DB) AddRevision(ctx context.Context, r content.Revision) error {
	row, err := rowOfRevision(r)
	if err != nil {
		return err
	}
	return wrap(db.q(ctx).Create(&row).Error)
}

// AmendRevision writes r over the stored revision of its number: another
// write coalesced into it (its first write's time and author stay).
func (db *DB) AmendRevision(ctx context.Context, r content.Revision) error {
	row, err := rowOfRevision(r)
	if err != nil {
		return err
	}
	res := db.q(ctx).Model(&revisionRow{}).Where("document_id = ? AND number = ?", r.DocumentID, r.Number).
		Updates(map[string]any{"title": row.Title, "slug": row.Slug, "fields": row.Fields, "topics": row.Topics,
			"byline": row.Byline, "hero": row.Hero, "credits": row.Credits, "updated_at": row.UpdatedAt, "writes": row.Writes})
	if res.Error != nil {
		return wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return cms.NotFound("revision")
	}
	return nil
}

// rowOfRevision is a revision as its row stores it.
func rowOfRevision(r content.Revision) (revisionRow, error) {
	updated := r.UpdatedAt
	if updated.IsZero() {
		updated = r.CreatedAt
	}
	row := revisionRow{DocumentID: r.DocumentID, Number: r.Number, Title: r.Title, Slug: r.Slug,
		Byline: r.Byline, Hero: r.Hero, AuthorID: r.AuthorID, Message: r.Message, CreatedAt: r.CreatedAt,
		UpdatedAt: &updated, Writes: max(r.Writes, 1), Checkpoint: r.Checkpoint}
	for _, part := range []struct {
		src any
		dst *string
	}{{r.Fields, &row.Fields}, {r.Topics, &row.Topics}, {r.Credits, &row.Credits}} {
		data, err := json.Marshal(part.src)
		if err != nil {
			return row, wrap(err)
		}
		*part.dst = string(data)
	}
	return row, nil
}

// FindRevisions lists a document's revisions, oldest first.
func (db *DB) FindRevisions(ctx context.Context, documentID string) ([]content.Revision, error) {
	var rows []revisionRow
	if err := db.q(ctx).Where("document_id = ?", documentID).Order("number").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]content.Revision, 0, len(rows))
	for _, r := range rows {
		rev, err := r.revision()
		if err != nil {
			return nil, err
		}
		out = append(out, rev)
	}
	return out, nil
}

// FindRevision returns revision number of a document.
func (db *DB) FindRevision(ctx context.Context, documentID string, number int) (content.Revision, error) {
	var row revisionRow
	if err := db.q(ctx).Where("document_id = ? AND number = ?", documentID, number).Take(&row).Error; err != nil {
		return content.Revision{}, notFound(err, "revision")
	}
	return row.revision()
}

type commentRow struct {
	ID         string
	DocumentID string
	Field      string
	AuthorID   string
	Body       string
	Resolved   bool
	ResolvedBy *string
	ResolvedAt *time.Time
	CreatedAt  time.Time
}

func (commentRow) TableName() string { return "comments" }

// AddComment stores a comment.
func (db *DB) AddComment(ctx context.Context, c content.Comment) error {
	row := commentRow(c)
	return wrap(db.q(ctx).Create(&row).Error)
}

// FindComments lists a document's comments, oldest first.
func (db *DB) FindComments(ctx context.Context, documentID string) ([]content.Comment, error) {
	var rows []commentRow
	if err := db.q(ctx).Where("document_id = ?", documentID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]content.Comment, 0, len(rows))
	for _, r := range rows {
		out = append(out, content.Comment(r))
	}
	return out, nil
}

// ResolveComment marks a comment of the document resolved.
func (db *DB) ResolveComment(ctx context.Context, documentID, id, by string, at time.Time) (content.Comment, error) {
	var c content.Comment
	err := db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Exec("UPDATE comments SET resolved = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND document_id = ? AND resolved = ?",
			true, by, at, id, documentID, false)
		if res.Error != nil {
			return wrap(res.Error)
		}
		var row commentRow
		if err := tx.q(ctx).Where("id = ? AND document_id = ?", id, documentID).Take(&row).Error; err != nil {
			return notFound(err, "comment")
		}
		c = content.Comment(row)
		return nil
	})
	return c, err
}

type eventRow struct {
	ID         int64 `gorm:"primaryKey"`
	DocumentID string
	Action     string
	FromState  string
	ToState    string
	ActorID    string
	Revision   int
	Note       string
	// BasedOnVersion is the version the actor named; NULL when none.
	BasedOnVersion *int
	CreatedAt      time.Time
}

func (eventRow) TableName() string { return "workflow_events" }

// AddEvent appends to a document's audit trail.
func (db *DB) AddEvent(ctx context.Context, e content.Event) error {
	row := eventRow{DocumentID: e.DocumentID, Action: e.Action, FromState: string(e.From), ToState: string(e.To),
		ActorID: e.ActorID, Revision: e.Revision, Note: e.Note, BasedOnVersion: e.BasedOnVersion, CreatedAt: e.CreatedAt}
	return wrap(db.q(ctx).Create(&row).Error)
}

// FindEvents returns a document's audit trail, oldest first.
func (db *DB) FindEvents(ctx context.Context, documentID string) ([]content.Event, error) {
	var rows []eventRow
	if err := db.q(ctx).Where("document_id = ?", documentID).Order("id").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]content.Event, 0, len(rows))
	for _, r := range rows {
		out = append(out, content.Event{ID: r.ID, DocumentID: r.DocumentID, Action: r.Action,
			From: workflow.State(r.FromState), To: workflow.State(r.ToState), ActorID: r.ActorID,
			Revision: r.Revision, Note: r.Note, BasedOnVersion: r.BasedOnVersion, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

var _ content.Store = (*DB)(nil)

// FindLastEvent returns the newest event of a document's audit trail.
func (db *DB) FindLastEvent(ctx context.Context, documentID string) (content.Event, error) {
	var r eventRow
	if err := db.q(ctx).Where("document_id = ?", documentID).Order("id DESC").Take(&r).Error; err != nil {
		return content.Event{}, notFound(err, "event")
	}
	return content.Event{ID: r.ID, DocumentID: r.DocumentID, Action: r.Action,
		From: workflow.State(r.FromState), To: workflow.State(r.ToState), ActorID: r.ActorID,
		Revision: r.Revision, Note: r.Note, BasedOnVersion: r.BasedOnVersion, CreatedAt: r.CreatedAt}, nil
}
