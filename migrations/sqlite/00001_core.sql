-- +goose Up
-- The core schema of SPEC §2. Timestamps are stored as UTC text by the driver.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY, -- SHA-256 of the cookie value
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL DEFAULT '',
    expires_at   DATETIME,
    last_used_at DATETIME,
    created_at   DATETIME NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY, -- "email:…" or "ip:…"
    failures     INTEGER NOT NULL,
    window_start DATETIME NOT NULL
);

CREATE TABLE series (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('newsletter', 'blog', 'report')),
    description TEXT NOT NULL DEFAULT '',
    about       TEXT NOT NULL DEFAULT '',
    parent_id   TEXT REFERENCES series(id),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE content_types (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    fields     TEXT NOT NULL, -- JSON array of field definitions
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE contributors (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    bio        TEXT NOT NULL DEFAULT '',
    user_id    TEXT REFERENCES users(id),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE documents (
    id                 TEXT PRIMARY KEY,
    type_id            TEXT NOT NULL REFERENCES content_types(id),
    series_id          TEXT NOT NULL REFERENCES series(id),
    title              TEXT NOT NULL,
    slug               TEXT NOT NULL,
    fields             TEXT NOT NULL DEFAULT '{}',
    topics             TEXT NOT NULL DEFAULT '[]',
    byline_id          TEXT REFERENCES contributors(id),
    hero_media_id      TEXT,
    owner_id           TEXT NOT NULL REFERENCES users(id),
    state              TEXT NOT NULL,
    head_revision      INTEGER NOT NULL,
    live_revision      INTEGER,
    approved_revision  INTEGER,
    version            INTEGER NOT NULL,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    submitted_at       DATETIME,
    approved_at        DATETIME,
    first_published_at DATETIME,
    last_published_at  DATETIME,
    scheduled_for      DATETIME,
    UNIQUE (series_id, slug)
);
CREATE INDEX documents_state ON documents(state);
CREATE INDEX documents_owner ON documents(owner_id);
CREATE INDEX documents_scheduled ON documents(scheduled_for) WHERE state = 'scheduled';

CREATE TABLE document_topics (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    PRIMARY KEY (document_id, topic)
);
CREATE INDEX document_topics_topic ON document_topics(topic);

CREATE TABLE revisions (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    title       TEXT NOT NULL,
    slug        TEXT NOT NULL,
    fields      TEXT NOT NULL,
    topics      TEXT NOT NULL,
    byline      TEXT, -- contributor slug, as it was
    hero        TEXT, -- media asset id
    credits     TEXT NOT NULL DEFAULT '[]', -- JSON snapshot
    author_id   TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (document_id, number)
);

CREATE TABLE credits (
    document_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    contributor_id TEXT NOT NULL REFERENCES contributors(id),
    role           TEXT NOT NULL,
    PRIMARY KEY (document_id, position)
);

CREATE TABLE comments (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    field       TEXT NOT NULL DEFAULT '',
    author_id   TEXT NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    resolved    BOOLEAN NOT NULL DEFAULT FALSE,
    resolved_by TEXT,
    resolved_at DATETIME,
    created_at  DATETIME NOT NULL
);
CREATE INDEX comments_document ON comments(document_id);

CREATE TABLE workflow_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);
CREATE INDEX workflow_events_document ON workflow_events(document_id);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',
    created_at  DATETIME NOT NULL
);

CREATE TABLE casbin_rule (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    ptype TEXT NOT NULL,
    v0    TEXT NOT NULL DEFAULT '',
    v1    TEXT NOT NULL DEFAULT '',
    v2    TEXT NOT NULL DEFAULT '',
    v3    TEXT NOT NULL DEFAULT '',
    v4    TEXT NOT NULL DEFAULT '',
    v5    TEXT NOT NULL DEFAULT '',
    UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);

-- policy_version is bumped by every change of casbin_rule so that every
-- instance reloads its enforcer.
CREATE TABLE policy_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO policy_version (id, version) VALUES (1, 0);

-- +goose Down
DROP TABLE policy_version;
DROP TABLE casbin_rule;
DROP TABLE audit_events;
DROP TABLE workflow_events;
DROP TABLE comments;
DROP TABLE credits;
DROP TABLE revisions;
DROP TABLE document_topics;
DROP TABLE documents;
DROP TABLE contributors;
DROP TABLE content_types;
DROP TABLE series;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
