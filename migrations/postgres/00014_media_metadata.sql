-- +goose Up
-- Uploads lose their metadata (EXIF with its GPS position, XMP, text) and
-- are turned upright, unless an editor keeps the file as uploaded; the
-- asset says which. Files stored before this were all kept as uploaded.
ALTER TABLE media_assets ADD COLUMN metadata_kept BOOLEAN NOT NULL DEFAULT TRUE;

-- +goose Down
ALTER TABLE media_assets DROP COLUMN metadata_kept;
