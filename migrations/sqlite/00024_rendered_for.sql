-- +goose Up
-- What the delivered documents' addresses were rendered for (issue 15,
-- item 1): the base URL and the public URL pattern. An instance that
-- starts with others renders every delivered document again, so that no
-- url, feed link or sitemap entry keeps an old host.
ALTER TABLE site_state ADD COLUMN rendered_for TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE site_state DROP COLUMN rendered_for;
