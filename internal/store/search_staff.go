package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/search"
)

// staffMatch is the FROM … WHERE part of a staff search over
// staff_search d joined to documents doc, per engine.
func (db *DB) staffMatch(q search.Query) (from, rank, snippet string, args, snipArgs []any) {
	const joins = " JOIN documents doc ON doc.id = d.document_id JOIN series s ON s.id = doc.series_id JOIN content_types ct ON ct.id = doc.type_id"
	if db.dialect == Postgres {
		expr, a := tsQuery(q)
		return " FROM (SELECT " + expr + " AS query) tq, staff_search d" + joins + " WHERE d.tsv @@ tq.query", "ts_rank(d.tsv, tq.query) DESC, doc.updated_at DESC",
			"ts_headline('english', d.body, tq.query, ?)", a,
			[]any{"StartSel=" + search.MarkStart + ", StopSel=" + search.MarkEnd + ", MaxWords=30, MinWords=12, MaxFragments=1"}
	}
	return " FROM staff_fts JOIN staff_search d ON d.rowid = staff_fts.rowid" + joins + " WHERE staff_fts MATCH ?",
		"bm25(staff_fts, 10.0, 1.0), doc.updated_at DESC", "snippet(staff_fts, -1, ?, ?, '…', 24)",
		[]any{fts5Query(q, nil)}, []any{search.MarkStart, search.MarkEnd}
}

// SearchStaff searches head revisions of the documents r.Visible allows.
func (db *DB) SearchStaff(ctx context.Context, r search.StaffRequest) (search.StaffResult, error) {
	res := search.StaffResult{Data: []search.StaffHit{}}
	if r.Query.OnlyStopWords {
		return res, nil
	}
	var from, rank, snippet string
	var args, snipArgs []any
	if r.Query.Empty() {
		from = " FROM staff_search d JOIN documents doc ON doc.id = d.document_id JOIN series s ON s.id = doc.series_id JOIN content_types ct ON ct.id = doc.type_id WHERE 1 = 1"
		rank, snippet = "doc.updated_at DESC", "''"
	} else {
		from, rank, snippet, args, snipArgs = db.staffMatch(r.Query)
	}
	if v := r.Visible; v != nil {
		from += " AND (doc.series_id IN ? OR (doc.owner_id = ? AND doc.series_id IN ?))"
		args = append(args, nonEmpty(v.AllOf), v.OwnerID, nonEmpty(v.OwnOf))
	}
	if r.State != "" {
		from += " AND doc.state = ?"
		args = append(args, r.State)
	}
	if err := db.q(ctx).Raw("SELECT COUNT(*)"+from, args...).Scan(&res.Total).Error; err != nil {
		return res, wrap(err)
	}
	var rows []struct {
		ID, Title, State, Series, Type, Snippet string
		UpdatedAt                               time.Time
	}
	query := "SELECT doc.id, doc.title, doc.state, s.slug AS series, ct.name AS type, doc.updated_at, " + snippet + " AS snippet" +
		from + " ORDER BY " + rank + " LIMIT ? OFFSET ?"
	all := append(append(snipArgs, args...), r.Limit, r.Offset)
	if err := db.q(ctx).Raw(query, all...).Scan(&rows).Error; err != nil {
		return res, wrap(err)
	}
	for _, row := range rows {
		res.Data = append(res.Data, search.StaffHit{ID: row.ID, Title: row.Title, State: row.State, Series: row.Series,
			Type: row.Type, Snippet: row.Snippet, UpdatedAt: row.UpdatedAt})
	}
	return res, nil
}

// ReindexLive rebuilds the public index from the delivered documents in
// one transaction, converting each stored body with convert: pages of
// 500 read by key (published_at, document_id), not by OFFSET, written in
// multi-row statements. (Not through BulkIndex: on a live site, dropping
// PostgreSQL's indexes would make every search wait for the reindex.) It
// moves the delivery version, so that cached answers of every instance go.
func (db *DB) ReindexLive(ctx context.Context, convert func(body []byte, parent *string) (search.Doc, error)) (int, error) {
	n := 0
	err := db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Exec("DELETE FROM search_documents").Error; err != nil {
			return wrap(err)
		}
		err := func() error {
			// Oldest first, so that rowids follow publish order again.
			var after *deliveredRow
			for {
				q := tx.q(ctx).Order("published_at, document_id").Limit(500)
				if after != nil {
					q = q.Where("published_at > ? OR (published_at = ? AND document_id > ?)", after.PublishedAt, after.PublishedAt, after.DocumentID)
				}
				var rows []deliveredRow
				if err := q.Find(&rows).Error; err != nil {
					return wrap(err)
				}
				if len(rows) == 0 {
					return nil
				}
				docs := make([]search.Doc, 0, len(rows))
				for _, r := range rows {
					d, err := convert([]byte(r.Body), r.ParentSlug)
					if err != nil {
						return err
					}
					docs = append(docs, d)
				}
				if err := tx.PutLiveBatch(ctx, docs); err != nil {
					return err
				}
				n += len(docs)
				after = &rows[len(rows)-1]
			}
		}()
		if err != nil {
			return err
		}
		return tx.BumpDeliveryVersion(ctx)
	})
	return n, err
}

var _ search.Store = (*DB)(nil)
var _ search.IndexTx = (*DB)(nil)
