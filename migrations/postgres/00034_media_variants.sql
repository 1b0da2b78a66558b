-- +goose Up
-- Responsive images (issue 20, item 2): each image asset's resized copies
-- (kind "width", at fixed widths below the original's) and its 1200×630
-- social crop (kind "social"), each stored in blob storage under its own
-- SHA-256 like the original. The crop is cut around the asset's focal
-- point, which editors set (0..1 from the left and the top; the centre
-- by default).
CREATE TABLE media_variants (
    asset_id   TEXT NOT NULL REFERENCES media_assets(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (asset_id, kind, width)
);
CREATE INDEX media_variants_sha256 ON media_variants(sha256);
ALTER TABLE media_assets ADD COLUMN focal_x DOUBLE PRECISION NOT NULL DEFAULT 0.5;
ALTER TABLE media_assets ADD COLUMN focal_y DOUBLE PRECISION NOT NULL DEFAULT 0.5;

-- +goose Down
ALTER TABLE media_assets DROP COLUMN focal_y;
ALTER TABLE media_assets DROP COLUMN focal_x;
DROP TABLE media_variants;
