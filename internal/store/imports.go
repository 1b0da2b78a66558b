package store

import (
	"context"
	"encoding/json"
	"fmt"
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

type importJobRow struct {
	ID        string
	Kind      string
	Filename  string
	Status    string
	Total     int
	Done      int
	Report    string
	Error     string
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (importJobRow) TableName() string { return "imports" }

func jobRow(j wordpress.Job) (importJobRow, error) {
	rep, err := json.Marshal(j.Report)
	return importJobRow{ID: j.ID, Kind: j.Kind, Filename: j.Filename, Status: j.Status, Total: j.Total, Done: j.Done,
		Report: string(rep), Error: j.Error, CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}, err
}

// CreateImportJob stores a new import job.
func (db *DB) CreateImportJob(ctx context.Context, j wordpress.Job) error {
	row, err := jobRow(j)
	if err != nil {
		return err
	}
	return wrap(db.q(ctx).Create(&row).Error)
}

// UpdateImportJob stores a job's progress, state and report.
func (db *DB) UpdateImportJob(ctx context.Context, j wordpress.Job) error {
	row, err := jobRow(j)
	if err != nil {
		return err
	}
	return wrap(db.q(ctx).Model(&importJobRow{}).Where("id = ?", j.ID).
		Select("status", "total", "done", "report", "error", "updated_at").Updates(&row).Error)
}

// FindImportJob returns one import job.
func (db *DB) FindImportJob(ctx context.Context, id string) (wordpress.Job, error) {
	var row importJobRow
	if err := db.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return wordpress.Job{}, notFound(err, "import")
	}
	j := wordpress.Job{ID: row.ID, Kind: row.Kind, Filename: row.Filename, Status: row.Status, Total: row.Total, Done: row.Done,
		Error: row.Error, CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	if row.Report != "" && row.Report != "null" {
		j.Report = &wordpress.Report{}
		if err := json.Unmarshal([]byte(row.Report), j.Report); err != nil {
			return wordpress.Job{}, fmt.Errorf("store: import %s: report: %w", id, err)
		}
	}
	return j, nil
}
