package store

import (
	"context"
	"slices"
	"strings"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/published"
)

// bulkRows is how many rows one multi-row INSERT takes: well below
// SQLite's limit of bound variables at two dozen columns a row.
const bulkRows = 100

// idMemo remembers the ids of names (a type, a series, a contributor)
// for one bulk write: a batch names the same few again and again.
type idMemo struct {
	db  *DB
	ids map[string]string
}

func (m *idMemo) idOf(ctx context.Context, table, column, value string) (string, error) {
	key := table + "\x00" + column + "\x00" + value
	if id, ok := m.ids[key]; ok {
		return id, nil
	}
	id, err := m.db.idOf(ctx, table, column, value)
	if err == nil {
		m.ids[key] = id
	}
	return id, err
}

// InsertDocuments inserts new documents with their topics and credits, as
// InsertDocument would one by one, in a few multi-row statements.
func (db *DB) InsertDocuments(ctx context.Context, ds []content.Document) error {
	if len(ds) == 0 {
		return nil
	}
	memo := &idMemo{db: db, ids: map[string]string{}}
	rows := make([]documentRow, len(ds))
	var topics, credits [][]any
	for i, d := range ds {
		row, err := db.rowWith(ctx, d, memo.idOf)
		if err != nil {
			return err
		}
		rows[i] = row
		for _, t := range d.Topics {
			topics = append(topics, []any{d.ID, t})
		}
		for j, c := range d.Credits {
			id, err := memo.idOf(ctx, "contributors", "slug", c.Contributor)
			if err != nil {
				return err
			}
			credits = append(credits, []any{d.ID, j, id, c.Role})
		}
	}
	err := db.q(ctx).Omit("TypeName", "SeriesSlug", "ParentSlug", "BylineSlug", "BylineName", "ApprovalsRequired").CreateInBatches(&rows, bulkRows).Error
	if err != nil {
		return wrap(err)
	}
	if err := db.insertValues(ctx, "document_topics (document_id, topic)", topics); err != nil {
		return err
	}
	return db.insertValues(ctx, "credits (document_id, position, contributor_id, role)", credits)
}

// insertValues inserts rows into table (with its column list) in
// multi-row statements.
func (db *DB) insertValues(ctx context.Context, table string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), 4*bulkRows)
		marks := make([]string, n)
		var args []any
		for i, r := range rows[:n] {
			marks[i] = "(" + strings.TrimSuffix(strings.Repeat("?, ", len(r)), ", ") + ")"
			args = append(args, r...)
		}
		if err := db.q(ctx).Exec("INSERT INTO "+table+" VALUES "+strings.Join(marks, ", "), args...).Error; err != nil {
			return wrap(err)
		}
		rows = rows[n:]
	}
	return nil
}

// AddRevisions stores revisions, as AddRevision would one by one.
func (db *DB) AddRevisions(ctx context.Context, rs []content.Revision) error {
	if len(rs) == 0 {
		return nil
	}
	rows := make([]revisionRow, len(rs))
	for i, r := range rs {
		row, err := rowOfRevision(r)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	return wrap(db.q(ctx).CreateInBatches(&rows, bulkRows).Error)
}

// AddEvents records workflow events, as AddEvent would one by one.
func (db *DB) AddEvents(ctx context.Context, es []content.Event) error {
	if len(es) == 0 {
		return nil
	}
	rows := make([]eventRow, len(es))
	for i, e := range es {
		rows[i] = eventRow{DocumentID: e.DocumentID, Action: e.Action, FromState: string(e.From), ToState: string(e.To),
			ActorID: e.ActorID, Revision: e.Revision, Note: e.Note, BasedOnVersion: e.BasedOnVersion, CreatedAt: e.CreatedAt}
	}
	return wrap(db.q(ctx).CreateInBatches(&rows, bulkRows).Error)
}

// PutDeliveredBatch stores (or replaces) the delivered forms of several
// documents, as PutDelivered would one by one (each document once).
func (db *DB) PutDeliveredBatch(ctx context.Context, es []published.Entry) error {
	es = lastOfEach(es, func(e published.Entry) string { return e.DocumentID })
	if len(es) == 0 {
		return nil
	}
	ids := make([]string, len(es))
	rows := make([]deliveredRow, len(es))
	var topics, contributors, shown [][]any
	for i, e := range es {
		ids[i] = e.DocumentID
		rows[i] = deliveredRow{DocumentID: e.DocumentID, SeriesID: e.SeriesID, SeriesSlug: e.SeriesSlug, ParentSlug: e.ParentSlug,
			Type: e.Type, Slug: e.Slug, Title: e.Title, Revision: e.Revision, PublishedAt: e.PublishedAt.UTC(),
			UpdatedAt: e.UpdatedAt.UTC(), Body: string(e.Body), Digest: string(e.Digest), Shape: e.Shape, HeroID: e.HeroID}
		for _, t := range e.Topics {
			topics = append(topics, []any{e.DocumentID, t})
		}
		for _, c := range e.Contributors {
			contributors = append(contributors, []any{e.DocumentID, c})
		}
		for _, m := range e.Media {
			shown = append(shown, []any{e.DocumentID, m})
		}
	}
	for chunk := range slices.Chunk(ids, 4*bulkRows) {
		if err := db.q(ctx).Exec("DELETE FROM delivered_documents WHERE document_id IN ?", chunk).Error; err != nil {
			return wrap(err)
		}
	}
	if err := db.q(ctx).CreateInBatches(&rows, bulkRows).Error; err != nil {
		if cms.IsCode(wrap(err), cms.CodeConflict) {
			return cms.Errorf(cms.CodeConflict, "another live document has the same slug in its series")
		}
		return wrap(err)
	}
	if err := db.insertValues(ctx, "delivered_topics (document_id, topic)", topics); err != nil {
		return err
	}
	if err := db.insertValues(ctx, "delivered_contributors (document_id, contributor)", contributors); err != nil {
		return err
	}
	return db.insertValues(ctx, "delivered_media (document_id, asset_id)", shown)
}
