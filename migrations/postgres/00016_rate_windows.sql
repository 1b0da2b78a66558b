-- +goose Up
-- One fixed-window counter for every throttle shared by the instances:
-- sign-in guesses (keys "login:…") and sign-ups (keys "signup:…") used to
-- have a table each, with the same statement written twice, and the login
-- table was never swept. Per key: the hits of its current window and when
-- that window ends; rows whose window ended count for nothing and are
-- deleted as new windows start. The old counters are short-lived and are
-- not carried over: an upgrade starts every window afresh.
CREATE TABLE rate_windows (
    key        TEXT PRIMARY KEY,
    hits       INTEGER NOT NULL,
    window_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_windows_window_end ON rate_windows(window_end);
DROP TABLE login_failures;
DROP TABLE signup_attempts;

-- +goose Down
DROP TABLE rate_windows;
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TIMESTAMPTZ NOT NULL
);
CREATE TABLE signup_attempts (
    key        TEXT PRIMARY KEY,
    attempts   INTEGER NOT NULL,
    window_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX signup_attempts_window_end ON signup_attempts(window_end);
