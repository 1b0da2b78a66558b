-- +goose Up
-- Listings carry a digest of each document (everything but its fields and
-- the series' about-text), rendered beside the full body at publish time,
-- so that a page of 25 is a fraction of 25 documents' bytes. shape is the
-- version of the delivered shape a row was rendered with: instances
-- re-render rows of an older shape when they start (existing rows get 1).
ALTER TABLE delivered_documents ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE delivered_documents ADD COLUMN shape INTEGER NOT NULL DEFAULT 1;
CREATE INDEX delivered_documents_shape ON delivered_documents(shape);

-- +goose Down
DROP INDEX delivered_documents_shape;
ALTER TABLE delivered_documents DROP COLUMN shape;
ALTER TABLE delivered_documents DROP COLUMN digest;
