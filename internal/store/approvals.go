package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/content"
)

// approvalsOf returns, per document, the approvals of its head revision,
// oldest first, with the approvers' names.
func (db *DB) approvalsOf(ctx context.Context, ids []string) (map[string][]content.Approval, error) {
	out := map[string][]content.Approval{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		DocumentID string
		UserID     string
		Name       string
		CreatedAt  time.Time
	}
	err := db.q(ctx).Raw(`SELECT a.document_id, a.user_id, u.name, a.created_at FROM document_approvals a
JOIN documents d ON d.id = a.document_id AND d.head_revision = a.revision
JOIN users u ON u.id = a.user_id
WHERE a.document_id IN ? ORDER BY a.document_id, a.created_at, a.user_id`, ids).Scan(&rows).Error
	if err != nil {
		return nil, wrap(err)
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], content.Approval{UserID: r.UserID, Name: r.Name, At: r.CreatedAt.UTC()})
	}
	return out, nil
}

// AddApproval records one editor's approval of a revision.
func (db *DB) AddApproval(ctx context.Context, documentID string, revision int, userID string, at time.Time) error {
	return wrap(db.q(ctx).Exec(`INSERT INTO document_approvals (document_id, revision, user_id, created_at) VALUES (?, ?, ?, ?)`,
		documentID, revision, userID, at).Error)
}

// ClearApprovals forgets a document's approvals: a new submission is
// reviewed afresh.
func (db *DB) ClearApprovals(ctx context.Context, documentID string) error {
	return wrap(db.q(ctx).Exec(`DELETE FROM document_approvals WHERE document_id = ?`, documentID).Error)
}
