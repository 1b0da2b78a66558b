package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/media"
)

type variantRow struct {
	AssetID   string
	Kind      string
	Width     int
	Height    int
	Mime      string
	Size      int64
	Sha256    string
	CreatedAt time.Time
}

func (variantRow) TableName() string { return "media_variants" }

func (r variantRow) variant() media.Variant {
	return media.Variant{Kind: r.Kind, Width: r.Width, Height: r.Height, MIME: r.Mime, Size: r.Size, SHA256: r.Sha256}
}

// PutVariants records an asset's variants, replacing those it had of the
// same kinds, in one transaction.
func (db *DB) PutVariants(ctx context.Context, assetID string, vs []media.Variant, at time.Time) error {
	if len(vs) == 0 {
		return nil
	}
	kinds := map[string]bool{}
	rows := make([]variantRow, len(vs))
	for i, v := range vs {
		kinds[v.Kind] = true
		rows[i] = variantRow{AssetID: assetID, Kind: v.Kind, Width: v.Width, Height: v.Height, Mime: v.MIME,
			Size: v.Size, Sha256: v.SHA256, CreatedAt: at.UTC()}
	}
	return db.InTx(ctx, func(tx *DB) error {
		for k := range kinds {
			if err := tx.q(ctx).Where("asset_id = ? AND kind = ?", assetID, k).Delete(&variantRow{}).Error; err != nil {
				return wrap(err)
			}
		}
		return wrap(tx.q(ctx).Create(&rows).Error)
	})
}

// withVariants turns rows into assets with their variants, narrowest
// first, in one query.
func (db *DB) withVariants(ctx context.Context, rows []assetRow) ([]media.Asset, error) {
	out := make([]media.Asset, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	at := map[string]int{}
	for i, r := range rows {
		out[i], ids[i], at[r.ID] = r.asset(), r.ID, i
	}
	var vs []variantRow
	if err := db.q(ctx).Where("asset_id IN ?", ids).Order("asset_id, kind DESC, width").Find(&vs).Error; err != nil {
		return nil, wrap(err)
	}
	for _, v := range vs {
		a := &out[at[v.AssetID]]
		a.Variants = append(a.Variants, v.variant())
	}
	return out, nil
}
