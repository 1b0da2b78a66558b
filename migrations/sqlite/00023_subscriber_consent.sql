-- +goose Up
-- Each subscription keeps its consent record (issue 14, privacy): on what
-- basis the address is on the list and since when — "double opt-in" for
-- one confirmed through its link, the basis an import gave for imported
-- ones. An import never overwrites it. Subscriptions confirmed before
-- this migration were confirmed through their link.
ALTER TABLE subscribers ADD COLUMN consent_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN consent_at DATETIME;
UPDATE subscribers SET consent_basis = 'double opt-in', consent_at = confirmed_at WHERE confirmed_at IS NOT NULL;

-- +goose Down
ALTER TABLE subscribers DROP COLUMN consent_at;
ALTER TABLE subscribers DROP COLUMN consent_basis;
