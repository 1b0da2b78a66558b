package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/release"
)

type releaseRow struct {
	ID           string
	Name         string
	State        string
	ScheduledFor *time.Time
	PublishedAt  *time.Time
	Version      int
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// PublishBlockers is written only by SetReleaseBlockers; any other
	// write of the release clears it.
	PublishBlockers *string
}

func (releaseRow) TableName() string { return "releases" }

type releaseItemRow struct {
	ReleaseID  string
	DocumentID string
	Position   int
}

func (releaseItemRow) TableName() string { return "release_items" }

func releaseRowOf(r release.Release) releaseRow {
	return releaseRow{ID: r.ID, Name: r.Name, State: string(r.State), ScheduledFor: r.ScheduledFor,
		PublishedAt: r.PublishedAt, Version: r.Version, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (r releaseRow) release(docs []string) (release.Release, error) {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	rel := release.Release{ID: r.ID, Name: r.Name, State: release.State(r.State), ScheduledFor: utc(r.ScheduledFor),
		PublishedAt: utc(r.PublishedAt), Version: r.Version, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Documents: docs}
	if r.PublishBlockers != nil {
		if err := json.Unmarshal([]byte(*r.PublishBlockers), &rel.PublishBlockers); err != nil {
			return rel, fmt.Errorf("store: release %s: publish_blockers: %w", r.ID, err)
		}
	}
	return rel, nil
}

// CreateRelease stores a release, its items and its audit event.
func (db *DB) CreateRelease(ctx context.Context, r release.Release, ev cms.AuditEvent) error {
	row := releaseRowOf(r)
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Create(&row).Error; err != nil {
			return wrap(err)
		}
		if err := tx.insertReleaseItems(ctx, r); err != nil {
			return err
		}
		return tx.AddAudit(ctx, ev)
	})
}

func (db *DB) insertReleaseItems(ctx context.Context, r release.Release) error {
	for i, id := range r.Documents {
		item := releaseItemRow{ReleaseID: r.ID, DocumentID: id, Position: i}
		if err := db.q(ctx).Create(&item).Error; err != nil {
			return wrap(err)
		}
	}
	return nil
}

// FindRelease returns one release with its items' ids.
func (db *DB) FindRelease(ctx context.Context, id string) (release.Release, error) {
	var row releaseRow
	if err := db.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return release.Release{}, notFound(err, "release")
	}
	docs, err := db.releaseItems(ctx, id)
	if err != nil {
		return release.Release{}, err
	}
	return row.release(docs)
}

func (db *DB) releaseItems(ctx context.Context, id string) ([]string, error) {
	docs := []string{}
	err := db.q(ctx).Raw("SELECT document_id FROM release_items WHERE release_id = ? ORDER BY position", id).Scan(&docs).Error
	return docs, wrap(err)
}

// FindReleases lists every release, newest first.
func (db *DB) FindReleases(ctx context.Context) ([]release.Release, error) {
	var rows []releaseRow
	if err := db.q(ctx).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	out := make([]release.Release, len(rows))
	for i, r := range rows {
		docs, err := db.releaseItems(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if out[i], err = r.release(docs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateRelease writes r and replaces its items, if the stored version is
// still prevVersion. Inside the publishing transaction, this conditional
// update is what makes a scheduled release fire once.
func (db *DB) UpdateRelease(ctx context.Context, r release.Release, prevVersion int, ev cms.AuditEvent) error {
	row := releaseRowOf(r)
	return db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Model(&releaseRow{}).Where("id = ? AND version = ?", r.ID, prevVersion).
			Select("name", "state", "scheduled_for", "published_at", "version", "updated_at", "publish_blockers").Updates(&row)
		if res.Error != nil {
			return wrap(res.Error)
		}
		if res.RowsAffected == 0 {
			return tx.missingOrStaleRelease(ctx, r.ID)
		}
		if err := tx.q(ctx).Exec("DELETE FROM release_items WHERE release_id = ?", r.ID).Error; err != nil {
			return wrap(err)
		}
		if err := tx.insertReleaseItems(ctx, r); err != nil {
			return err
		}
		return tx.AddAudit(ctx, ev)
	})
}

func (db *DB) missingOrStaleRelease(ctx context.Context, id string) error {
	var n int64
	if err := db.q(ctx).Table("releases").Where("id = ?", id).Count(&n).Error; err != nil {
		return wrap(err)
	}
	if n == 0 {
		return cms.NotFound("release")
	}
	return cms.Errorf(cms.CodePreconditionFailed, "the release changed meanwhile: reload it")
}

// DeleteRelease removes a release at version; its documents stay.
func (db *DB) DeleteRelease(ctx context.Context, id string, version int, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Exec("DELETE FROM releases WHERE id = ? AND version = ?", id, version)
		if res.Error != nil {
			return wrap(res.Error)
		}
		if res.RowsAffected == 0 {
			return tx.missingOrStaleRelease(ctx, id)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// SetReleaseBlockers stores why the clock could not fire a scheduled
// release, as SetPublishBlockers does for a document: one conditional
// update that writes only changed reasons, and the audit event only then,
// so that several instances ticking record each failure once.
func (db *DB) SetReleaseBlockers(ctx context.Context, id string, version int, b []cms.Blocker, ev cms.AuditEvent) (bool, error) {
	js, err := blockersJSON(b)
	if err != nil {
		return false, err
	}
	changed := false
	err = db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Exec(`UPDATE releases SET publish_blockers = ?
WHERE id = ? AND version = ? AND state = ? AND COALESCE(publish_blockers, '') <> COALESCE(?, '')`,
			js, id, version, string(release.Scheduled), js)
		if res.Error != nil || res.RowsAffected == 0 {
			return wrap(res.Error)
		}
		changed = true
		return tx.AddAudit(ctx, ev)
	})
	return changed, err
}

// FindDueReleases lists scheduled releases whose time has come.
func (db *DB) FindDueReleases(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	err := db.q(ctx).Raw("SELECT id FROM releases WHERE state = ? AND scheduled_for <= ? ORDER BY scheduled_for",
		string(release.Scheduled), now).Scan(&ids).Error
	return ids, wrap(err)
}

var _ release.Store = (*DB)(nil)
