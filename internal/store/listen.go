package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/published"
)

// changesChannel is the PostgreSQL channel delivery changes go out on:
// masthead_changes for a site in the public schema, with ".schema" after
// it for one elsewhere (channels belong to the database, and sites in
// other schemas of it — tests, among them — have changes of their own).
const changesChannel = "masthead_changes"

// channelSQL is the channel's name, in SQL, for the session's schema.
const channelSQL = "CASE WHEN current_schema() = 'public' THEN '" + changesChannel + "' ELSE '" + changesChannel + ".' || current_schema() END"

// notifyBatch is the most changes of one transaction named one by one;
// past it, one "all" goes out (NOTIFY queues are not for an import's
// thousands).
const notifyBatch = 64

// BumpDeliveryVersion tells every instance that delivered content
// changed: it moves the version the poll reads and, on PostgreSQL, sends
// each change on masthead_changes, which the listeners hear only when
// (and if) the transaction commits.
func (db *DB) BumpDeliveryVersion(ctx context.Context, changes ...published.Change) error {
	if err := db.ensureSiteState(ctx); err != nil {
		return err
	}
	if db.dialect != Postgres {
		return wrap(db.q(ctx).Exec("UPDATE site_state SET delivery_version = delivery_version + 1 WHERE id = 1").Error)
	}
	var v []int64
	if err := db.q(ctx).Raw("UPDATE site_state SET delivery_version = delivery_version + 1 WHERE id = 1 RETURNING delivery_version").Scan(&v).Error; err != nil {
		return wrap(err)
	}
	if len(changes) == 0 || len(changes) > notifyBatch {
		changes = []published.Change{{Kind: published.ChangeAll}}
	}
	for _, c := range changes {
		if len(v) > 0 {
			c.Version = v[0]
		}
		payload, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := db.q(ctx).Exec("SELECT pg_notify("+channelSQL+", ?)", string(payload)).Error; err != nil {
			return wrap(err)
		}
	}
	return nil
}

// ListenerName is the application_name of this handle's listening
// connection, by which pg_stat_activity shows it.
func (db *DB) ListenerName() string { return db.listenName }

// listenPing is how long a listener waits for a notification before it
// checks that its connection still answers (a peer gone without a word
// sends no error).
const listenPing = 30 * time.Second

// ListenChanges holds one connection of its own (not the pool's) LISTENing
// on masthead_changes until it fails or ctx ends: ready is called once it
// listens, fn with each change. SQLite cannot, and says so at once
// (published.ErrCannotListen). A payload that is not a change (sent by
// hand, say) is heard as "anything changed".
func (db *DB) ListenChanges(ctx context.Context, ready func(), fn func(published.Change)) error {
	if db.dialect != Postgres || db.url == "" {
		return published.ErrCannotListen
	}
	cfg, err := pgconn.ParseConfig(db.url)
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	cfg.RuntimeParams["application_name"] = db.listenName
	// A cancelled wait only sets a deadline on the socket: the
	// connection stays usable, with no cancel request sent.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	var channel string
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) {
		if n.Channel != channel {
			return
		}
		var c published.Change
		if json.Unmarshal([]byte(n.Payload), &c) != nil || c.Kind == "" {
			c = published.Change{Kind: published.ChangeAll}
		}
		fn(c)
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	defer func() {
		closing, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(closing)
	}()
	rs, err := conn.Exec(ctx, "SELECT "+channelSQL).ReadAll()
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Rows) != 1 || len(rs[0].Rows[0]) != 1 {
		return errors.New("store: listen: no schema to listen for")
	}
	channel = string(rs[0].Rows[0][0])
	if _, err := conn.Exec(ctx, "LISTEN "+quoteIdent(channel)).ReadAll(); err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	ready()
	for {
		wait, cancel := context.WithTimeout(ctx, listenPing)
		err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			ping, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(ping)
			cancel()
			if err != nil {
				return fmt.Errorf("store: listen: %w", err)
			}
		case err != nil:
			return fmt.Errorf("store: listen: %w", err)
		}
	}
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// listenerName names a handle's listening connection: the program, and
// a token telling this handle from the others on the database.
func listenerName() string { return "masthead listen " + cms.RandomToken(6)[:8] }
