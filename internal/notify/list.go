package notify

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Page is one page of a person's notifications and the cursor of the
// next; Unread counts what is unread of all of them.
type Page struct {
	Data       []Notification `json:"data"`
	NextCursor string         `json:"next_cursor"`
	Unread     int            `json:"unread"`
}

const (
	defaultLimit = 25
	maxLimit     = 100
	// unreadCap bounds how many unread notifications the bell counts.
	unreadCap = 100
)

// List returns a page of the actor's notifications, newest first, each
// with its document's title as it is now. One about a document they may
// no longer read is left out, so its title never shows.
func (s *Service) List(ctx context.Context, actor cms.Actor, unreadOnly bool, cursor string, limit int) (Page, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	if limit > maxLimit {
		return Page{}, cms.Invalid("limit", "must be at most 100")
	}
	var after *Cursor
	if cursor != "" {
		c, err := decodeCursor(cursor)
		if err != nil {
			return Page{}, err
		}
		after = &c
	}
	rows, err := s.store.FindNotifications(ctx, actor.UserID, unreadOnly, after, limit+1)
	if err != nil {
		return Page{}, err
	}
	page := Page{Data: []Notification{}}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.NextCursor = encodeCursor(Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	page.Data = s.readable(ctx, actor.UserID, rows)
	page.Unread, err = s.Unread(ctx, actor)
	return page, err
}

// readable keeps the notifications whose document userID may read now,
// with the document's current title.
func (s *Service) readable(ctx context.Context, userID string, rows []Notification) []Notification {
	out := []Notification{}
	for _, n := range rows {
		if n.DocumentID != nil {
			d, err := s.store.FindDocument(ctx, *n.DocumentID)
			if err != nil || !s.mayRead(userID, d) {
				continue
			}
			n.Title = d.Title
		}
		out = append(out, n)
	}
	return out
}

// Unread counts the actor's unread notifications that they may read (at
// most unreadCap: the bell says "99+" beyond).
func (s *Service) Unread(ctx context.Context, actor cms.Actor) (int, error) {
	rows, err := s.store.FindNotifications(ctx, actor.UserID, true, nil, unreadCap)
	if err != nil {
		return 0, err
	}
	return len(s.readable(ctx, actor.UserID, rows)), nil
}

// ReadRequest marks notifications read: the ids, or all.
type ReadRequest struct {
	IDs []string `json:"ids"`
	All bool     `json:"all"`
}

// MarkRead marks the actor's notifications read; others' ids change
// nothing.
func (s *Service) MarkRead(ctx context.Context, actor cms.Actor, r ReadRequest) error {
	if !r.All && len(r.IDs) == 0 {
		return cms.Invalid("ids", "name the notifications to mark read, or send all: true")
	}
	if len(r.IDs) > maxLimit {
		return cms.Invalid("ids", "at most 100 at once")
	}
	return s.store.MarkRead(ctx, actor.UserID, r.IDs, r.All, s.now())
}

// Prefs are a person's mail settings: for each kind, whether it is mailed
// (in the app, everything is always shown).
type Prefs struct {
	Mail map[Kind]bool `json:"mail"`
}

// Prefs returns the actor's mail settings, every kind named.
func (s *Service) Prefs(ctx context.Context, actor cms.Actor) (Prefs, error) {
	set, err := s.store.FindMailPrefs(ctx, actor.UserID)
	if err != nil {
		return Prefs{}, err
	}
	p := Prefs{Mail: map[Kind]bool{}}
	for _, k := range Kinds {
		on, ok := set[k]
		p.Mail[k] = !ok || on
	}
	return p, nil
}

// SetPrefs changes the actor's mail settings for the kinds named, and
// records the change as an audit event.
func (s *Service) SetPrefs(ctx context.Context, actor cms.Actor, p Prefs) (Prefs, error) {
	for k := range p.Mail {
		if !slices.Contains(Kinds, k) {
			return Prefs{}, cms.Invalid("mail", "unknown kind "+string(k)+"; kinds: "+kindList())
		}
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "notifications.preferences", ObjectType: "user", ObjectID: actor.UserID,
		Detail: map[string]any{"mail": p.Mail}}
	if err := s.store.SaveMailPrefs(ctx, actor.UserID, p.Mail, ev); err != nil {
		return Prefs{}, err
	}
	return s.Prefs(ctx, actor)
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func encodeCursor(c Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

func decodeCursor(s string) (Cursor, error) {
	bad := cms.Invalid("cursor", "is not a cursor this server gave out")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || id == "" || err != nil {
		return Cursor{}, bad
	}
	return Cursor{CreatedAt: t, ID: id}, nil
}
