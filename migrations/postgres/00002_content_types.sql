-- +goose Up
-- The two content types SPEC §2 ships. Admins add more through the API.
INSERT INTO content_types (id, name, label, fields, created_at, updated_at) VALUES
('ct-briefing', 'briefing', 'Briefing',
 '[{"name":"summary","label":"Summary","kind":"text","required":true,"max_length":1000},{"name":"what_happened","label":"What Happened","kind":"text_list","required":true,"max_length":1000},{"name":"implications","label":"Implications","kind":"rich_text","required":true,"max_length":20000},{"name":"context","label":"Context","kind":"rich_text","required":false,"max_length":20000}]',
 CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('ct-article', 'article', 'Article',
 '[{"name":"summary","label":"Summary","kind":"text","required":true,"max_length":1000},{"name":"body","label":"Body","kind":"rich_text","required":true,"max_length":200000}]',
 CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- +goose Down
DELETE FROM content_types WHERE id IN ('ct-briefing', 'ct-article');
