package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/media"
)

type assetRow struct {
	ID           string
	Filename     string
	Mime         string
	Size         int64
	Sha256       string
	Width        int
	Height       int
	Alt          string
	Caption      string
	Credit       string
	Licence      string
	SourceURL    string `gorm:"column:source_url"`
	MetadataKept bool
	FocalX       float64
	FocalY       float64
	UploaderID   string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (assetRow) TableName() string { return "media_assets" }

func (r assetRow) asset() media.Asset {
	return media.Asset{ID: r.ID, Filename: r.Filename, MIME: r.Mime, Size: r.Size, SHA256: r.Sha256, Width: r.Width,
		Height: r.Height, Alt: r.Alt, Caption: r.Caption, Credit: r.Credit, Licence: r.Licence, SourceURL: r.SourceURL,
		MetadataKept: r.MetadataKept, Focal: media.Focal{X: r.FocalX, Y: r.FocalY}, UploaderID: r.UploaderID,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Variants: []media.Variant{}}
}

func assetRowOf(a media.Asset) assetRow {
	return assetRow{ID: a.ID, Filename: a.Filename, Mime: a.MIME, Size: a.Size, Sha256: a.SHA256, Width: a.Width,
		Height: a.Height, Alt: a.Alt, Caption: a.Caption, Credit: a.Credit, Licence: a.Licence, SourceURL: a.SourceURL,
		MetadataKept: a.MetadataKept, FocalX: a.Focal.X, FocalY: a.Focal.Y, UploaderID: a.UploaderID,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// CreateAsset stores an asset's record with its audit event.
func (db *DB) CreateAsset(ctx context.Context, a media.Asset, ev cms.AuditEvent) error {
	row := assetRowOf(a)
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Create(&row).Error; err != nil {
			return wrap(err)
		}
		if err := tx.PutVariants(ctx, a.ID, a.Variants, a.CreatedAt); err != nil {
			return err
		}
		return tx.AddAudit(ctx, ev)
	})
}

// UpdateAsset writes an asset's attribution with its audit event and the
// history events of the documents showing it.
func (db *DB) UpdateAsset(ctx context.Context, a media.Asset, ev cms.AuditEvent, history []media.HistoryEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		err := tx.q(ctx).Exec("UPDATE media_assets SET alt = ?, caption = ?, credit = ?, licence = ?, source_url = ?, focal_x = ?, focal_y = ?, updated_at = ? WHERE id = ?",
			a.Alt, a.Caption, a.Credit, a.Licence, a.SourceURL, a.Focal.X, a.Focal.Y, a.UpdatedAt, a.ID).Error
		if err != nil {
			return wrap(err)
		}
		for _, h := range history {
			row := eventRow{DocumentID: h.DocumentID, Action: h.Action, FromState: h.State, ToState: h.State,
				ActorID: h.ActorID, Revision: h.Revision, Note: h.Note, CreatedAt: h.At}
			if err := tx.q(ctx).Create(&row).Error; err != nil {
				return wrap(err)
			}
		}
		return tx.AddAudit(ctx, ev)
	})
}

// AssetTx runs fn in one transaction.
func (db *DB) AssetTx(ctx context.Context, fn func(tx media.Store) error) error {
	return db.InTx(ctx, func(tx *DB) error { return fn(tx) })
}

// FindLiveShowing lists the live documents that show the asset as their
// hero, as delivered.
func (db *DB) FindLiveShowing(ctx context.Context, id string) ([]media.LiveUse, error) {
	rows, err := db.liveUses(ctx, "dd.hero_id = ?", id)
	if err != nil {
		return nil, err
	}
	out := make([]media.LiveUse, len(rows))
	for i, r := range rows {
		out[i] = media.LiveUse{DocumentID: r.ID, SeriesPath: r.path(), State: r.State, HeadRevision: r.HeadRevision}
	}
	return out, nil
}

// FindAsset returns one asset.
func (db *DB) FindAsset(ctx context.Context, id string) (media.Asset, error) {
	var row assetRow
	if err := db.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return media.Asset{}, notFound(err, "media")
	}
	out, err := db.withVariants(ctx, []assetRow{row})
	if err != nil {
		return media.Asset{}, err
	}
	return out[0], nil
}

// FindAssets lists assets, newest first, with the total.
func (db *DB) FindAssets(ctx context.Context, limit, offset int) ([]media.Asset, int, error) {
	var total int64
	if err := db.q(ctx).Model(&assetRow{}).Count(&total).Error; err != nil {
		return nil, 0, wrap(err)
	}
	var rows []assetRow
	if err := db.q(ctx).Order("created_at DESC, id DESC").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return nil, 0, wrap(err)
	}
	out, err := db.withVariants(ctx, rows)
	return out, int(total), err
}

// AssetIsLive reports whether a live document shows the asset, as its
// hero or in its text.
func (db *DB) AssetIsLive(ctx context.Context, id string) (bool, error) {
	var n int64
	err := db.q(ctx).Raw("SELECT COUNT(*) FROM delivered_media WHERE asset_id = ?", id).Scan(&n).Error
	return n > 0, wrap(err)
}

var _ media.Store = (*DB)(nil)

// AssetHoldsBlob reports whether an asset keeps bytes under key: its
// SHA-256, its id (where files were stored before), or a variant's
// SHA-256.
func (db *DB) AssetHoldsBlob(ctx context.Context, key string) (bool, error) {
	var n int64
	err := db.q(ctx).Model(&assetRow{}).Where("sha256 = ? OR id = ?", key, key).Limit(1).Count(&n).Error
	if err != nil || n > 0 {
		return n > 0, wrap(err)
	}
	err = db.q(ctx).Model(&variantRow{}).Where("sha256 = ?", key).Limit(1).Count(&n).Error
	return n > 0, wrap(err)
}

// EachAsset calls fn with every asset, oldest first, a page at a time.
func (db *DB) EachAsset(ctx context.Context, fn func(media.Asset) error) error {
	const page = 200
	for offset := 0; ; offset += page {
		var rows []assetRow
		if err := db.q(ctx).Order("created_at, id").Limit(page).Offset(offset).Find(&rows).Error; err != nil {
			return wrap(err)
		}
		list, err := db.withVariants(ctx, rows)
		if err != nil {
			return err
		}
		for _, a := range list {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
	}
}
