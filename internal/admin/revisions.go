package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// diffRow is one changed field, side by side: the runs of the word diff
// that were there before (kept and deleted) and after (kept and inserted).
type diffRow struct {
	Label         string
	Before, After []content.DiffOp
}

// diffRows lays out a revision diff side by side, with field labels.
func diffRows(ct content.ContentType, d content.RevisionDiff) []diffRow {
	labels := map[string]string{"title": "Title", "slug": "Slug", "topics": "Topics", "byline": "Byline", "hero": "Hero image", "credits": "Credits"}
	for _, f := range ct.Fields {
		labels["fields."+f.Name] = f.Label
	}
	rows := make([]diffRow, 0, len(d.Changes))
	for _, ch := range d.Changes {
		r := diffRow{Label: labels[ch.Field]}
		if r.Label == "" {
			r.Label = ch.Field
		}
		ops := ch.Ops
		if len(ops) == 0 {
			ops = []content.DiffOp{{Op: "delete", Text: showValue(ch.Before)}, {Op: "insert", Text: showValue(ch.After)}}
		}
		for _, op := range ops {
			if op.Op != "insert" {
				r.Before = append(r.Before, op)
			}
			if op.Op != "delete" {
				r.After = append(r.After, op)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// showValue writes a value that is not text (topics, credits) readably.
func showValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case []string:
		return strings.Join(x, ", ")
	case []content.Credit:
		var parts []string
		for _, c := range x {
			parts = append(parts, c.Name+" ("+c.Role+")")
		}
		return strings.Join(parts, ", ")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(buf.String())
}

type revisionRow struct {
	Rev      content.Revision
	Steps    string // the workflow steps taken on it, in words
	Changed  string // fields touched, characters added and removed
	Author   string
	Head     bool
	Live     bool
	Approved bool
}

type revisionsData struct {
	Doc     content.Document
	Rows    []revisionRow
	CanEdit bool
	A, B    int
}

func (h *handler) listRevisions(c echo.Context) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	d, err := h.Content.Document(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	revs, err := h.Content.Revisions(ctx, actor, d.ID)
	if err != nil {
		return err
	}
	cat, err := h.catalog(ctx)
	if err != nil {
		return err
	}
	_, editErr := workflow.AfterEdit(d.State)
	data := revisionsData{Doc: d, CanEdit: editErr == nil && h.Authz.Allowed(actor, "edit", content.DocumentObject(d)),
		A: max(d.HeadRevision-1, 1), B: d.HeadRevision}
	ct, err := h.Content.ContentType(ctx, d.Type)
	if err != nil {
		return err
	}
	for _, r := range slices.Backward(revs) {
		data.Rows = append(data.Rows, revisionRow{Rev: r, Author: cat.name(r.AuthorID), Head: r.Number == d.HeadRevision,
			Steps: stepWords(r.Actions), Changed: changedWords(ct, r.Changed),
			Live:     d.LiveRevision != nil && *d.LiveRevision == r.Number,
			Approved: d.ApprovedRevision != nil && *d.ApprovedRevision == r.Number})
	}
	return h.render(c, http.StatusOK, "revisions.html", "Revisions: "+d.Title, data)
}

var stepWord = map[string]string{"submit": "submitted", "withdraw": "withdrawn", "request_changes": "changes requested",
	"approve": "approved", "publish": "published", "schedule": "scheduled", "unschedule": "unscheduled",
	"unpublish": "unpublished", "archive": "archived", "restore": "restored", "credits": "credits changed",
	"import": "imported", "backdate": "backdated"}

// stepWords names the workflow steps taken on a revision.
func stepWords(actions []string) string {
	words := make([]string, 0, len(actions))
	for _, a := range actions {
		if w, ok := stepWord[a]; ok {
			a = w
		}
		words = append(words, a)
	}
	return strings.Join(words, ", ")
}

// changedWords says what a revision changed: "Title, Summary: +12 −3
// characters".
func changedWords(ct content.ContentType, c *content.RevisionChange) string {
	if c == nil || len(c.Fields) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: +%d −%d characters", strings.Join(fieldLabels(ct, c.Fields), ", "), c.Added, c.Removed)
}

type diffData struct {
	Doc  content.Document
	A, B int
	Rows []diffRow
}

// diffRevisions compares any two revisions side by side.
func (h *handler) diffRevisions(c echo.Context) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	d, err := h.Content.Document(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	a, errA := strconv.Atoi(c.QueryParam("a"))
	b, errB := strconv.Atoi(c.QueryParam("b"))
	if errA != nil || errB != nil {
		return cms.Invalid("a", "choose two revisions to compare")
	}
	diff, err := h.Content.Diff(ctx, actor, d.ID, a, b)
	if err != nil {
		return err
	}
	ct, err := h.Content.ContentType(ctx, d.Type)
	if err != nil {
		return err
	}
	data := diffData{Doc: d, A: a, B: b, Rows: diffRows(ct, diff)}
	return h.render(c, http.StatusOK, "diff.html", fmt.Sprintf("Revision %d → %d: %s", a, b, d.Title), data)
}

// restoreRevision makes an old revision the new head, based on the
// version the page showed.
func (h *handler) restoreRevision(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		return cms.NotFound("revision")
	}
	d, err := h.Content.Restore(ctx, actorOf(c), id, n, atoi(c.FormValue("version")))
	if err != nil {
		msg, ok := h.explain(ctx, actorOf(c), id, err)
		if !ok {
			return err
		}
		return h.redirect(c, "/admin/documents/"+id+"/revisions", "error", msg)
	}
	return h.redirect(c, "/admin/documents/"+id, "ok", fmt.Sprintf("Restored revision %d as revision %d.", n, d.HeadRevision))
}

// fragment renders one named template of a page, for the scripts that
// swap a part of the page.
func (h *handler) fragment(page, name string, data any) (string, error) {
	buf, err := h.execute(h.newsroomClock(), page, name, data)
	return string(buf), err
}
