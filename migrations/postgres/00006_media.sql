-- +goose Up
-- Media assets: the stored file's facts and the attribution a reader sees
-- (alt text, caption, credit, licence, source). Files live in blob storage
-- under the asset's id, never under a name a user chose.
CREATE TABLE media_assets (
    id          TEXT PRIMARY KEY,
    filename    TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    alt         TEXT NOT NULL DEFAULT '',
    caption     TEXT NOT NULL DEFAULT '',
    credit      TEXT NOT NULL DEFAULT '',
    licence     TEXT NOT NULL DEFAULT '',
    source_url  TEXT NOT NULL DEFAULT '',
    uploader_id TEXT NOT NULL REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX media_assets_created ON media_assets(created_at);

-- A delivered document names its hero, so that a file is public exactly
-- while a live document shows it.
ALTER TABLE delivered_documents ADD COLUMN hero_id TEXT;
CREATE INDEX delivered_documents_hero ON delivered_documents(hero_id);

-- +goose Down
DROP INDEX delivered_documents_hero;
ALTER TABLE delivered_documents DROP COLUMN hero_id;
DROP TABLE media_assets;
