-- +goose Up
-- Blobs are stored under their SHA-256 (issue 20, item 1); the orphan
-- sweep asks, for each blob, whether an asset still holds it.
CREATE INDEX media_assets_sha256 ON media_assets (sha256);

-- +goose Down
DROP INDEX media_assets_sha256;
