-- +goose Up
-- The sign-up throttle, shared by every instance like the login throttle
-- but apart from it: per counted key ("addr:…" for one client address,
-- "all" for every sign-up), the sign-ups of its current window and when
-- that window ends. Rows whose window ended count for nothing and are
-- deleted as new windows start.
CREATE TABLE signup_attempts (
    key        TEXT PRIMARY KEY,
    attempts   INTEGER NOT NULL,
    window_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX signup_attempts_window_end ON signup_attempts(window_end);

-- +goose Down
DROP TABLE signup_attempts;
