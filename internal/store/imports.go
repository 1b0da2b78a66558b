package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/wordpress"
)

type importItemRow struct {
	Source    string
	Kind      string
	ItemKey   string
	TargetID  string
	Digest    string
	UpdatedAt time.Time
}

func (importItemRow) TableName() string { return "import_items" }

// FindImportRecords lists what earlier imports of a source made.
func (db *DB) FindImportRecords(ctx context.Context, source string) ([]wordpress.Record, error) {
	var rows []importItemRow
	if err := db.q(ctx).Where("source = ?", source).Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]wordpress.Record, len(rows))
	for i, r := range rows {
		out[i] = wordpress.Record{Source: r.Source, Kind: r.Kind, Key: r.ItemKey, TargetID: r.TargetID, Digest: r.Digest}
	}
	return out, nil
}

// PutImportRecords keeps what an import made, replacing earlier records
// of the same objects, in one transaction.
func (db *DB) PutImportRecords(ctx context.Context, rs []wordpress.Record) error {
	now := time.Now().UTC()
	return db.InTx(ctx, func(tx *DB) error {
		for _, r := range rs {
			err := tx.q(ctx).Exec(`INSERT INTO import_items (source, kind, item_key, target_id, digest, updated_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (source, kind, item_key) DO UPDATE SET target_id = excluded.target_id, digest = excluded.digest, updated_at = excluded.updated_at`,
				r.Source, r.Kind, r.Key, r.TargetID, r.Digest, now).Error
			if err != nil {
				return wrap(err)
			}
		}
		return nil
	})
}
