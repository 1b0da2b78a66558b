package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// documentRow is a row of documents, with the names its ids point to.
type documentRow struct {
	ID               string
	TypeID           string
	SeriesID         string
	Title            string
	Slug             string
	Fields           string
	Topics           string
	BylineID         *string
	HeroMediaID      *string
	OwnerID          string
	State            string
	HeadRevision     int
	LiveRevision     *int
	ApprovedRevision *int
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	SubmittedAt      *time.Time
	ApprovedAt       *time.Time
	FirstPublishedAt *time.Time
	LastPublishedAt  *time.Time
	ScheduledFor     *time.Time
	PublishBlockers  *string // JSON list of cms.Blocker; NULL when none
	EmbargoUntil     *time.Time
	ExpiresAt        *time.Time
	AssigneeID       *string
	DueAt            *time.Time

	TypeName   string  `gorm:"->"`
	SeriesSlug string  `gorm:"->"`
	ParentSlug *string `gorm:"->"`
	BylineSlug *string `gorm:"->"`
	BylineName string  `gorm:"->"`
	// ApprovalsRequired is the series' setting.
	ApprovalsRequired int     `gorm:"->"`
	AssigneeName      *string `gorm:"->"`
}

func (documentRow) TableName() string { return "documents" }

const documentSelect = `SELECT d.*, ct.name AS type_name, s.slug AS series_slug, p.slug AS parent_slug,
  c.slug AS byline_slug, COALESCE(c.name, s.name) AS byline_name, s.approvals_required, au.name AS assignee_name
FROM documents d
JOIN content_types ct ON ct.id = d.type_id
JOIN series s ON s.id = d.series_id
LEFT JOIN series p ON p.id = s.parent_id
LEFT JOIN contributors c ON c.id = d.byline_id
LEFT JOIN users au ON au.id = d.assignee_id`

func (r documentRow) document() (content.Document, error) {
	d := content.Document{
		ID: r.ID, Type: r.TypeName, Series: r.SeriesSlug, Title: r.Title, Slug: r.Slug,
		Byline: r.BylineSlug, BylineName: r.BylineName, Hero: r.HeroMediaID, OwnerID: r.OwnerID, State: workflow.State(r.State),
		HeadRevision: r.HeadRevision, LiveRevision: r.LiveRevision, ApprovedRevision: r.ApprovedRevision,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SubmittedAt: r.SubmittedAt,
		ApprovedAt: r.ApprovedAt, FirstPublishedAt: r.FirstPublishedAt, LastPublishedAt: r.LastPublishedAt,
		ScheduledFor: r.ScheduledFor, EmbargoUntil: r.EmbargoUntil, ExpiresAt: r.ExpiresAt,
		SeriesPath: r.SeriesSlug, Credits: []content.Credit{},
		Approvals: []content.Approval{}, ApprovalsRequired: r.ApprovalsRequired,
		Assignee: r.AssigneeID, DueAt: r.DueAt,
	}
	if r.AssigneeName != nil {
		d.AssigneeName = *r.AssigneeName
	}
	if r.ParentSlug != nil {
		d.SeriesPath = *r.ParentSlug + "/" + r.SeriesSlug
	}
	if err := json.Unmarshal([]byte(r.Fields), &d.Fields); err != nil {
		return d, wrap(err)
	}
	if err := json.Unmarshal([]byte(r.Topics), &d.Topics); err != nil {
		return d, wrap(err)
	}
	if r.PublishBlockers != nil {
		if err := json.Unmarshal([]byte(*r.PublishBlockers), &d.PublishBlockers); err != nil {
			return d, wrap(err)
		}
	}
	return d, nil
}

// FindDocument returns one document with its current credits.
func (db *DB) FindDocument(ctx context.Context, id string) (content.Document, error) {
	docs, err := db.findDocuments(ctx, db.q(ctx).Raw(documentSelect+" WHERE d.id = ?", id))
	if err != nil {
		return content.Document{}, err
	}
	if len(docs) == 0 {
		return content.Document{}, cms.NotFound("document")
	}
	return docs[0], nil
}

// FindDocuments lists documents matching f, newest change first, one more
// than f.Limit so the caller knows whether another page exists.
func (db *DB) FindDocuments(ctx context.Context, f content.DocumentFilter) ([]content.Document, error) {
	where, args := documentWhere(f)
	query := documentSelect + " WHERE " + strings.Join(where, " AND ") + " ORDER BY d.updated_at DESC, d.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	return db.findDocuments(ctx, db.q(ctx).Raw(query, args...))
}

func documentWhere(f content.DocumentFilter) ([]string, []any) {
	where := []string{"1 = 1"}
	var args []any
	add := func(clause string, a ...any) {
		where = append(where, clause)
		args = append(args, a...)
	}
	if f.SeriesIDs != nil {
		add("d.series_id IN ?", f.SeriesIDs)
	}
	if f.Type != "" {
		add("ct.name = ?", f.Type)
	}
	if f.State != "" {
		add("d.state = ?", string(f.State))
	}
	if f.OwnerID != "" {
		add("d.owner_id = ?", f.OwnerID)
	}
	if f.AssigneeID != "" {
		add("d.assignee_id = ?", f.AssigneeID)
	}
	if f.DueBefore != nil {
		add("d.due_at < ?", *f.DueBefore)
	}
	if f.OverdueAt != nil {
		add("d.due_at < ? AND d.state NOT IN ?", *f.OverdueAt, []string{"scheduled", "published", "archived"})
	}
	if f.Topic != "" {
		add("EXISTS (SELECT 1 FROM document_topics t WHERE t.document_id = d.id AND t.topic = ?)", f.Topic)
	}
	if f.Query != "" {
		add("LOWER(d.title) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(f.Query))+"%")
	}
	if v := f.Visible; v != nil {
		all, own := nonEmpty(v.AllOf), nonEmpty(v.OwnOf)
		add("(d.series_id IN ? OR (d.owner_id = ? AND d.series_id IN ?))", all, v.OwnerID, own)
	}
	if c := f.After; c != nil {
		add("(d.updated_at < ? OR (d.updated_at = ? AND d.id < ?))", c.UpdatedAt, c.UpdatedAt, c.ID)
	}
	return where, args
}

// nonEmpty keeps "IN ?" valid SQL for an empty set: no real id is "".
func nonEmpty(ids []string) []string {
	if len(ids) == 0 {
		return []string{""}
	}
	return ids
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (db *DB) findDocuments(ctx context.Context, q *gorm.DB) ([]content.Document, error) {
	var rows []documentRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, wrap(err)
	}
	docs := make([]content.Document, 0, len(rows))
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		d, err := r.document()
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
		ids = append(ids, d.ID)
	}
	credits, err := db.creditsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	approvals, err := db.approvalsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range docs {
		if c := credits[docs[i].ID]; c != nil {
			docs[i].Credits = c
		}
		if a := approvals[docs[i].ID]; a != nil {
			docs[i].Approvals = a
		}
		docs[i].Refresh()
	}
	return docs, nil
}

// creditsOf returns the current credits of each document, in order.
func (db *DB) creditsOf(ctx context.Context, ids []string) (map[string][]content.Credit, error) {
	out := map[string][]content.Credit{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		DocumentID string
		Role       string
		Slug       string
		Name       string
	}
	err := db.q(ctx).Raw(`SELECT cr.document_id, cr.role, c.slug, c.name FROM credits cr
JOIN contributors c ON c.id = cr.contributor_id WHERE cr.document_id IN ? ORDER BY cr.document_id, cr.position`, ids).Scan(&rows).Error
	if err != nil {
		return nil, wrap(err)
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], content.Credit{Role: r.Role, Contributor: r.Slug, Name: r.Name})
	}
	return out, nil
}

// FindDueDocuments lists scheduled documents whose time has come.
func (db *DB) FindDueDocuments(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	err := db.q(ctx).Raw("SELECT id FROM documents WHERE state = ? AND scheduled_for <= ? ORDER BY scheduled_for",
		string(workflow.Scheduled), now).Scan(&ids).Error
	return ids, wrap(err)
}

// DocumentTx runs fn in one transaction.
func (db *DB) DocumentTx(ctx context.Context, fn func(tx content.Store) error) error {
	return db.InTx(ctx, func(tx *DB) error { return fn(tx) })
}

// LockDocuments locks the documents' rows in id order, so that two
// transactions locking overlapping sets queue instead of deadlocking. On
// SQLite the IMMEDIATE transaction holds the one write lock already.
func (db *DB) LockDocuments(ctx context.Context, ids []string) error {
	if db.dialect != Postgres || len(ids) == 0 {
		return nil
	}
	var locked []string
	err := db.q(ctx).Raw("SELECT id FROM documents WHERE id IN ? ORDER BY id FOR UPDATE", ids).Scan(&locked).Error
	return wrap(err)
}

// rowOf turns a document into its row, looking up the ids its names
// point to.
func (db *DB) rowOf(ctx context.Context, d content.Document) (documentRow, error) {
	return db.rowWith(ctx, d, db.idOf)
}

// rowWith is rowOf with the ids of names looked up through idOf (a bulk
// write remembers them).
func (db *DB) rowWith(ctx context.Context, d content.Document, idOf func(ctx context.Context, table, column, value string) (string, error)) (documentRow, error) {
	row := documentRow{
		ID: d.ID, Title: d.Title, Slug: d.Slug, HeroMediaID: d.Hero, OwnerID: d.OwnerID, State: string(d.State),
		HeadRevision: d.HeadRevision, LiveRevision: d.LiveRevision, ApprovedRevision: d.ApprovedRevision,
		Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, SubmittedAt: d.SubmittedAt,
		ApprovedAt: d.ApprovedAt, FirstPublishedAt: d.FirstPublishedAt, LastPublishedAt: d.LastPublishedAt,
		ScheduledFor: d.ScheduledFor, EmbargoUntil: d.EmbargoUntil, ExpiresAt: d.ExpiresAt,
		AssigneeID: d.Assignee, DueAt: d.DueAt,
	}
	var err error
	if row.TypeID, err = idOf(ctx, "content_types", "name", d.Type); err != nil {
		return row, err
	}
	if row.SeriesID, err = idOf(ctx, "series", "slug", d.Series); err != nil {
		return row, err
	}
	if d.Byline != nil {
		id, err := idOf(ctx, "contributors", "slug", *d.Byline)
		if err != nil {
			return row, err
		}
		row.BylineID = &id
	}
	fields, err := json.Marshal(d.Fields)
	if err != nil {
		return row, wrap(err)
	}
	topics, err := json.Marshal(d.Topics)
	if err != nil {
		return row, wrap(err)
	}
	row.Fields, row.Topics = string(fields), string(topics)
	row.PublishBlockers, err = blockersJSON(d.PublishBlockers)
	return row, err
}

// blockersJSON is the stored form of a document's publish blockers: NULL
// for none, so that "has blockers" is a plain IS NOT NULL.
func blockersJSON(b []cms.Blocker) (*string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	js, err := json.Marshal(b)
	if err != nil {
		return nil, wrap(err)
	}
	s := string(js)
	return &s, nil
}

// SetPublishBlockers stores why the clock could not publish a scheduled
// document and, only when they differ from those stored, records ev: a
// failure is logged once, not at every tick, and on several instances the
// conditional update lets one of them log it. version is the one the
// blockers were found at: a document changed since (unscheduled, taken
// again) is left alone. It reports whether they changed. The version is
// not bumped: nobody's edit is made stale by it.
func (db *DB) SetPublishBlockers(ctx context.Context, id string, version int, b []cms.Blocker, ev cms.AuditEvent) (bool, error) {
	js, err := blockersJSON(b)
	if err != nil {
		return false, err
	}
	changed := false
	err = db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Exec(`UPDATE documents SET publish_blockers = ?
WHERE id = ? AND version = ? AND state = ? AND COALESCE(publish_blockers, '') <> COALESCE(?, '')`,
			js, id, version, string(workflow.Scheduled), js)
		if res.Error != nil || res.RowsAffected == 0 {
			return wrap(res.Error)
		}
		changed = true
		return tx.AddAudit(ctx, ev)
	})
	return changed, err
}

// idOf looks up the id of a row by a unique key. table and column are
// constants of this package, never input.
func (db *DB) idOf(ctx context.Context, table, column, value string) (string, error) {
	var ids []string
	err := db.q(ctx).Raw("SELECT id FROM "+table+" WHERE "+column+" = ?", value).Scan(&ids).Error
	if err != nil {
		return "", wrap(err)
	}
	if len(ids) == 0 {
		return "", cms.Invalid(column, "no such "+strings.TrimSuffix(table, "s"))
	}
	return ids[0], nil
}

// InsertDocument inserts a new document with its topics and credits.
func (db *DB) InsertDocument(ctx context.Context, d content.Document) error {
	row, err := db.rowOf(ctx, d)
	if err != nil {
		return err
	}
	if err := db.q(ctx).Omit("TypeName", "SeriesSlug", "ParentSlug", "BylineSlug", "BylineName", "ApprovalsRequired").Create(&row).Error; err != nil {
		return wrap(err)
	}
	return db.replaceTopicsAndCredits(ctx, d)
}

// UpdateDocument writes d if its stored version is still prevVersion: the
// conditional update is what turns concurrent writers into one winner and
// 412s, on SQLite and PostgreSQL alike.
func (db *DB) UpdateDocument(ctx context.Context, d content.Document, prevVersion int) error {
	row, err := db.rowOf(ctx, d)
	if err != nil {
		return err
	}
	res := db.q(ctx).Model(&documentRow{}).Where("id = ? AND version = ?", d.ID, prevVersion).Select(
		"title", "slug", "fields", "topics", "byline_id", "hero_media_id", "state", "head_revision", "live_revision",
		"approved_revision", "version", "updated_at", "submitted_at", "approved_at", "first_published_at",
		"last_published_at", "scheduled_for", "publish_blockers", "embargo_until", "expires_at", "assignee_id", "due_at",
	).Updates(&row)
	if res.Error != nil {
		return wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return db.missingOrStale(ctx, d.ID)
	}
	return db.replaceTopicsAndCredits(ctx, d)
}

func (db *DB) missingOrStale(ctx context.Context, id string) error {
	var n int64
	if err := db.q(ctx).Table("documents").Where("id = ?", id).Count(&n).Error; err != nil {
		return wrap(err)
	}
	if n == 0 {
		return cms.NotFound("document")
	}
	return cms.Errorf(cms.CodePreconditionFailed, "the document was changed by someone else; reload it")
}

func (db *DB) replaceTopicsAndCredits(ctx context.Context, d content.Document) error {
	if err := db.q(ctx).Exec("DELETE FROM document_topics WHERE document_id = ?", d.ID).Error; err != nil {
		return wrap(err)
	}
	for _, t := range d.Topics {
		if err := db.q(ctx).Exec("INSERT INTO document_topics (document_id, topic) VALUES (?, ?)", d.ID, t).Error; err != nil {
			return wrap(err)
		}
	}
	if err := db.q(ctx).Exec("DELETE FROM credits WHERE document_id = ?", d.ID).Error; err != nil {
		return wrap(err)
	}
	for i, c := range d.Credits {
		id, err := db.idOf(ctx, "contributors", "slug", c.Contributor)
		if err != nil {
			return err
		}
		err = db.q(ctx).Exec("INSERT INTO credits (document_id, position, contributor_id, role) VALUES (?, ?, ?, ?)",
			d.ID, i, id, c.Role).Error
		if err != nil {
			return wrap(err)
		}
	}
	return nil
}

// DeleteDocument deletes a document at version, and everything that hangs
// off it, recording an audit event.
func (db *DB) DeleteDocument(ctx context.Context, id string, version int, ev cms.AuditEvent) error {
	res := db.q(ctx).Exec("DELETE FROM documents WHERE id = ? AND version = ?", id, version)
	if res.Error != nil {
		return wrap(res.Error)
	}
	if res.RowsAffected == 0 {
		return db.missingOrStale(ctx, id)
	}
	return db.AddAudit(ctx, ev)
}
