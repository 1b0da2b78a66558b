-- +goose Up
-- Every asset a delivered document shows, in its body as well as its
-- hero: a file is public exactly while a live document shows it, and an
-- image inside the text (an imported post's, or one an author placed) is
-- shown too. Filled when a document is delivered; shape 4 re-renders the
-- live documents at start, which fills it for those delivered before.
CREATE TABLE delivered_media (
    document_id TEXT NOT NULL REFERENCES delivered_documents(document_id) ON DELETE CASCADE,
    asset_id    TEXT NOT NULL,
    PRIMARY KEY (document_id, asset_id)
);
CREATE INDEX delivered_media_asset ON delivered_media(asset_id);

-- +goose Down
DROP TABLE delivered_media;
