package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// editorData is everything the editor page shows.
type editorData struct {
	Doc          content.Document
	New          bool
	Type         content.ContentType
	Types        []content.ContentType
	Series       []content.Series // for a new document: where the person may create
	SeriesName   string
	Contributors []content.Contributor
	Assets       []media.Asset // for the hero picker; nil without a media library
	Form         docForm
	Fields       []fieldView
	DerivedSlug  string
	Errors       map[string]string
	CanEdit      bool
	CanCredits   bool
	CanDelete    bool
	Autosave     bool
	EditNote     string
	Actions      []actionView
	ApproveHeld  string // why this editor may not approve, if only their eyes stop them
	Missing      []string
	// CreditMissing is what the approve and publish boxes list when the
	// series requires a credit the document lacks ("No credits yet").
	CreditMissing string
	History       []historyItem
	CanComment    bool
	Newsletter    *docNewsletter // nil: nothing newsletter to show
	Conflict      *conflictView
	// CanEmbargo and CanExpire offer the planning forms (issue 13): the
	// enforcer decides who; the domain refuses what the state does not
	// allow, and the page says why.
	CanEmbargo, CanExpire bool
	// LockedBy is the lock of someone else who is editing the document:
	// the editor opens read-only, with a button to take over. Heartbeat
	// is the lock's address when this person holds it.
	LockedBy  *content.Lock
	Heartbeat string
}

// formOf is a document's editable part as the editor form holds it, with
// that part as the base of a merge.
func formOf(d content.Document) docForm {
	f := valuesOf(d)
	f.Base = encodeBase(d)
	return f
}

// valuesOf is a document's editable part as the form's fields hold it.
func valuesOf(d content.Document) docForm {
	f := docForm{Type: d.Type, Series: d.Series, Title: d.Title, Slug: d.Slug, Topics: strings.Join(d.Topics, ", "),
		Fields: d.Fields, Version: d.Version, BaseRevision: d.HeadRevision, SlugFollows: content.SlugFollowsTitle(d)}
	if d.Byline != nil {
		f.Byline = *d.Byline
	}
	if d.Hero != nil {
		f.Hero = *d.Hero
	}
	return f
}

// editor builds the editor of document d showing form f (the stored
// values, or what the writer submitted).
func (h *handler) editor(c echo.Context, d content.Document, f docForm, errs map[string]string) (editorData, error) {
	ctx := c.Request().Context()
	actor := actorOf(c)
	ct, err := h.Content.ContentType(ctx, d.Type)
	if err != nil {
		return editorData{}, err
	}
	contributors, err := h.Content.Contributors(ctx)
	if err != nil {
		return editorData{}, err
	}
	cat, err := h.catalog(ctx)
	if err != nil {
		return editorData{}, err
	}
	obj := content.DocumentObject(d)
	_, editErr := workflow.AfterEdit(d.State)
	data := editorData{
		Doc: d, Type: ct, SeriesName: cat.seriesName[d.Series], Contributors: contributors, Form: f,
		Fields: fieldViews(ct, f.Fields, errs), DerivedSlug: derivedSlug(f), Errors: errs,
		CanEdit:    editErr == nil && h.Authz.Allowed(actor, "edit", obj),
		CanCredits: editErr == nil && h.Authz.Allowed(actor, "credits", obj),
		CanComment: h.Authz.Allowed(actor, "comment", obj),
		CanDelete:  h.deletable(actor, d) == nil,
		Missing:    missingRequired(ct, f.Fields),
		CanEmbargo: d.LiveRevision == nil && h.Authz.Allowed(actor, "embargo", obj),
		CanExpire:  (d.LiveRevision != nil || d.State == workflow.Scheduled) && h.Authz.Allowed(actor, "expire", obj),
	}
	if data.Actions, data.ApproveHeld, err = h.actions(ctx, actor, d); err != nil {
		return editorData{}, err
	}
	data.CreditMissing = creditMissing(cat.series, d)
	data.Autosave = data.CanEdit && (d.State == workflow.Draft || d.State == workflow.InReview)
	if data.Assets, err = h.heroChoices(ctx); err != nil {
		return editorData{}, err
	}
	switch d.State {
	case workflow.Approved:
		data.EditNote = "This document is approved. Saving a change sends it back to review."
	case workflow.Published:
		data.EditNote = "This document is live. Saving a change starts its next revision as a draft; the live version stays online until it is published again."
	case workflow.Scheduled:
		data.EditNote = "This document is scheduled. Unschedule it to make changes."
	case workflow.Archived:
		data.EditNote = "This document is archived. Restore it to make changes."
	}
	if data.History, err = h.history(ctx, actor, d, cat); err != nil {
		return editorData{}, err
	}
	sess, _ := sessionOf(c)
	if data.Newsletter, err = h.docNewsletter(ctx, actor, sess.CSRF, d); err != nil {
		return editorData{}, err
	}
	return data, nil
}

// heroChoices lists the newest images for the hero picker.
func (h *handler) heroChoices(ctx context.Context) ([]media.Asset, error) {
	if h.Media == nil {
		return nil, nil
	}
	assets, _, err := h.Media.Assets(ctx, 200, 0)
	return assets, err
}

func derivedSlug(f docForm) string {
	if f.Slug != "" {
		return f.Slug
	}
	return content.Slugify(f.Title)
}

func (h *handler) editDocument(c echo.Context) error {
	d, err := h.Content.Document(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	data, err := h.editor(c, d, formOf(d), nil)
	if err != nil {
		return err
	}
	if err := h.takeLock(c, &data, false); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "editor.html", d.Title, data)
}

// takeLock gives the person the document's edit lock when they may edit
// it; when someone else holds it, the editor opens read-only and names
// them (SPEC: the lock is mandatory in the UI).
func (h *handler) takeLock(c echo.Context, data *editorData, takeOver bool) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	if !data.CanEdit {
		// One who may no longer edit (the writer after submitting) lets go.
		return h.Content.UnlockDocument(ctx, actor, data.Doc.ID)
	}
	_, err := h.Content.LockDocument(ctx, actor, data.Doc.ID, takeOver)
	if cms.IsCode(err, cms.CodeConflict) {
		if data.LockedBy, err = h.Content.HeldByOther(ctx, actor, data.Doc); err != nil {
			return err
		}
		data.CanEdit, data.Autosave, data.CanCredits = false, false, false
		return nil
	}
	if err != nil {
		return err
	}
	data.Heartbeat = "/api/v1/documents/" + data.Doc.ID + "/lock"
	return nil
}

// takeOverLock moves the edit lock to the person and opens the editor.
func (h *handler) takeOverLock(c echo.Context) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	if _, err := h.Content.LockDocument(ctx, actor, c.Param("id"), true); err != nil {
		return err
	}
	return h.redirect(c, "/admin/documents/"+c.Param("id"), "ok", "You are editing this document now.")
}

// submission is an editor form applied to a document: the document as
// it was, the form as sent, and the outcome of the save.
type submission struct {
	before      content.Document
	contentType content.ContentType
	form        docForm
	saved       content.Document
	err         error // the save's: a conflict or invalid fields, answered to the writer
}

// submitEditor reads the editor form and saves it as a new head revision
// based on the version it was loaded at (or, to overwrite a conflict, the
// version the writer chose to force). Its error means nothing was tried.
// checkpoint is set for a save the writer asked for (the Save button):
// it is kept as a revision of its own.
func (h *handler) submitEditor(c echo.Context, checkpoint bool) (submission, error) {
	ctx, actor := c.Request().Context(), actorOf(c)
	var s submission
	var err error
	if s.before, err = h.Content.Document(ctx, actor, c.Param("id")); err != nil {
		return s, err
	}
	if s.contentType, err = h.Content.ContentType(ctx, s.before.Type); err != nil {
		return s, err
	}
	if s.form, err = parseDocForm(c, s.contentType); err != nil {
		return s, err
	}
	version := s.form.Version
	if s.form.Force > 0 {
		version = s.form.Force
	}
	// Someone who took over the lock edits now: this browser's save is a
	// conflict, which keeps its text on the screen.
	if l, err := h.Content.HeldByOther(ctx, actor, s.before); err != nil {
		return s, err
	} else if l != nil {
		s.err = cms.Errorf(cms.CodePreconditionFailed, "%s took over editing this document", l.HolderName)
		return s, nil
	}
	patch := s.form.patch()
	patch.Checkpoint = checkpoint
	base, hasBase := s.form.editable(s.contentType)
	if s.form.SlugFollows && hasBase && s.form.Slug != "" && s.form.Slug != base.Slug {
		patch.Slug = &s.form.Slug // typed by the writer: it stops following
	}
	if !checkpoint && s.form.Title == "" && s.before.Title != "" {
		patch.Title = nil // an autosave while the title is being retyped
	}
	switch {
	case hasBase && (s.form.KeepBoth || s.form.Force > 0):
		// Keep both, or my version over theirs: a merge against the base
		// the writer started from, so that no field only the other side
		// changed is lost; "mine" settles only true overlaps.
		req := content.MergeRequest{Base: base, DocumentPatch: patch}
		if !s.form.KeepBoth {
			req.Prefer = "mine"
		}
		s.saved, s.err = h.Content.MergeDocument(ctx, actor, s.before.ID, req)
	default:
		s.saved, s.err = h.Content.UpdateDocument(ctx, actor, s.before.ID, version, patch)
	}
	return s, nil
}

// saveDocument saves the editor form as a new head revision, based on the
// version the form was loaded at. A stale version re-shows the writer's
// text with what changed meanwhile, and overwrites nothing.
func (h *handler) saveDocument(c echo.Context) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	s, err := h.submitEditor(c, true)
	if err != nil {
		return err
	}
	d, f := s.before, s.form
	if s.err == nil {
		return h.redirect(c, "/admin/documents/"+d.ID, "ok", "Saved.")
	}
	if cms.IsCode(s.err, cms.CodePreconditionFailed) {
		data, err := h.editor(c, d, f, nil)
		if err != nil {
			return err
		}
		if data.Conflict, err = h.conflict(ctx, actor, d, f); err != nil {
			return err
		}
		return h.render(c, http.StatusConflict, "editor.html", d.Title, data)
	}
	if overlap := overlapping(s.err); overlap != nil {
		data, err := h.editor(c, d, f, nil)
		if err != nil {
			return err
		}
		if data.Conflict, err = h.conflict(ctx, actor, d, f); err != nil {
			return err
		}
		data.Conflict.Overlap = fieldLabels(s.contentType, overlap)
		return h.render(c, http.StatusConflict, "editor.html", d.Title, data)
	}
	if errs, ok := problemFields(s.err); ok {
		data, err := h.editor(c, d, f, errs)
		if err != nil {
			return err
		}
		return h.render(c, http.StatusUnprocessableEntity, "editor.html", d.Title, data)
	}
	return s.err
}

// autosaveDocument is saveDocument for the editor's script: JSON in the
// answer, the new version to base the next save on, and on a conflict the
// diff of what someone else changed.
func (h *handler) autosaveDocument(c echo.Context) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	s, err := h.submitEditor(c, false)
	if err != nil {
		return err
	}
	d, f, saved := s.before, s.form, s.saved
	switch {
	case s.err == nil:
		return c.JSON(http.StatusOK, map[string]any{
			"version": saved.Version, "head_revision": saved.HeadRevision, "state": saved.State,
			"slug": saved.Slug, "saved_at": time.Now().UTC().Format(time.RFC3339),
			"missing": missingRequired(s.contentType, saved.Fields), "base": encodeBase(saved),
			"address": "/" + saved.Series + "/" + saved.Slug, "title": saved.Title, "slug_follows": content.SlugFollowsTitle(saved),
		})
	case cms.IsCode(s.err, cms.CodePreconditionFailed), overlapping(s.err) != nil:
		cv, err := h.conflict(ctx, actor, d, f)
		if err != nil {
			return err
		}
		cv.Overlap = fieldLabels(s.contentType, overlapping(s.err))
		html, err := h.fragmentFor(c, "editor.html", "conflict", cv)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusPreconditionFailed, map[string]any{
			"conflict": true, "version": d.Version, "head_revision": d.HeadRevision, "html": html,
		})
	}
	if errs, ok := problemFields(s.err); ok {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"errors": errs})
	}
	return s.err
}

// conflictView is what the banner shows when someone else saved first.
type conflictView struct {
	By       string
	Version  int
	State    string
	Diff     []diffRow
	BaseRev  int
	HeadRev  int
	Restated bool // only the state moved, the text did not
	// Overlap are the fields both changed in the same place, after "Keep
	// both": the writer chooses.
	Overlap []string
}

// overlapping is the fields a merge found changed on both sides in the
// same place; nil for any other error.
func overlapping(err error) []string {
	var ce *cms.Error
	if !errors.As(err, &ce) || ce.Code != cms.CodeConflict || len(ce.Fields) == 0 {
		return nil
	}
	var out []string
	for _, f := range ce.Fields {
		out = append(out, f.Field)
	}
	if slices.Contains(out, "slug") && len(out) == 1 && strings.Contains(ce.Message, "taken") {
		return nil // a slug taken in the series, not an overlap
	}
	return out
}

// fieldLabels names document fields as the editor labels them.
func fieldLabels(ct content.ContentType, fields []string) []string {
	labels := map[string]string{"title": "Title", "slug": "Slug", "topics": "Topics", "byline": "Byline", "hero": "Hero image", "credits": "Credits"}
	for _, f := range ct.Fields {
		labels["fields."+f.Name] = f.Label
	}
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if l, ok := labels[f]; ok {
			f = l
		}
		out = append(out, f)
	}
	return out
}

// conflict describes what changed between the revision the writer started
// from and the current head, with the content service's diff.
func (h *handler) conflict(ctx context.Context, actor cms.Actor, d content.Document, f docForm) (*conflictView, error) {
	base := f.BaseRevision
	cv := &conflictView{Version: d.Version, State: string(d.State), BaseRev: base, HeadRev: d.HeadRevision}
	cat, err := h.catalog(ctx)
	if err != nil {
		return nil, err
	}
	head, err := h.Content.Revision(ctx, actor, d.ID, d.HeadRevision)
	if err != nil {
		return nil, err
	}
	cv.By = cat.name(head.AuthorID)
	ct, err := h.Content.ContentType(ctx, d.Type)
	if err != nil {
		return nil, err
	}
	// The writer's base, as the form last knew it stored: the head
	// revision may have taken more writes since it was the base.
	if b, ok := f.editable(ct); ok {
		cv.Diff = diffRows(ct, content.DiffEditable(*b, d))
		cv.Restated = len(cv.Diff) == 0
		return cv, nil
	}
	if base < 1 || base >= d.HeadRevision {
		cv.Restated = true
		return cv, nil
	}
	diff, err := h.Content.Diff(ctx, actor, d.ID, base, d.HeadRevision)
	if err != nil {
		return nil, err
	}
	cv.Diff = diffRows(ct, diff)
	return cv, nil
}

// newDocument shows an empty editor for a content type in a series the
// person may create documents in.
func (h *handler) newDocument(c echo.Context) error {
	f := docForm{Type: c.QueryParam("type"), Series: c.QueryParam("series"), Fields: map[string]any{}}
	return h.showNew(c, http.StatusOK, f, nil)
}

func (h *handler) showNew(c echo.Context, status int, f docForm, errs map[string]string) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	types, err := h.Content.ContentTypes(ctx)
	if err != nil {
		return err
	}
	all, err := h.Content.AllSeries(ctx)
	if err != nil {
		return err
	}
	var series []content.Series
	for _, s := range all {
		if h.canSomewhere(actor, []content.Series{s}, "create", "") {
			series = append(series, s)
		}
	}
	if len(series) == 0 {
		return cms.Errorf(cms.CodeForbidden, "you may not create documents in any series")
	}
	ct, ok := pickType(types, f.Type)
	if !ok {
		return cms.Invalid("type", "no such content type")
	}
	f.Type = ct.Name
	contributors, err := h.Content.Contributors(ctx)
	if err != nil {
		return err
	}
	data := editorData{New: true, Type: ct, Types: types, Series: series, Contributors: contributors, Form: f,
		Fields: fieldViews(ct, f.Fields, errs), DerivedSlug: derivedSlug(f), Errors: errs, CanEdit: true,
		Missing: missingRequired(ct, f.Fields)}
	if data.Assets, err = h.heroChoices(ctx); err != nil {
		return err
	}
	return h.render(c, status, "editor.html", "New "+strings.ToLower(ct.Label), data)
}

// pickType chooses the requested type, or briefing, or the first one.
func pickType(types []content.ContentType, name string) (content.ContentType, bool) {
	if name == "" {
		name = "briefing"
		if !slices.ContainsFunc(types, func(t content.ContentType) bool { return t.Name == name }) && len(types) > 0 {
			name = types[0].Name
		}
	}
	for _, t := range types {
		if t.Name == name {
			return t, true
		}
	}
	return content.ContentType{}, false
}

func (h *handler) createDocument(c echo.Context) error {
	ctx := c.Request().Context()
	ct, err := h.Content.ContentType(ctx, c.FormValue("type"))
	if err != nil {
		return err
	}
	f, err := parseDocForm(c, ct)
	if err != nil {
		return err
	}
	if c.FormValue("list_op") != "" {
		return h.showNew(c, http.StatusOK, f, nil) // a button of a list editor, without scripts
	}
	auto := strings.Contains(c.Request().Header.Get("Accept"), "application/json")
	in := f.newDocument()
	if auto && in.Title == "" {
		// The first autosave of a new document typed into another field
		// first: a placeholder that the title replaces, slug and all.
		in.Title, in.Slug = "Untitled draft", fmt.Sprintf("untitled-%d", time.Now().UnixNano()%1e9)
	}
	d, err := h.Content.CreateDocument(ctx, actorOf(c), in)
	if errs, ok := problemFields(err); ok {
		if auto {
			return c.JSON(http.StatusUnprocessableEntity, map[string]any{"errors": errs})
		}
		return h.showNew(c, http.StatusUnprocessableEntity, f, errs)
	}
	if err != nil {
		return err
	}
	if auto {
		// The editor's first autosave: it carries on editing the draft.
		return c.JSON(http.StatusCreated, map[string]any{
			"id": d.ID, "version": d.Version, "head_revision": d.HeadRevision, "slug": d.Slug,
			"address": "/" + d.Series + "/" + d.Slug, "base": encodeBase(d), "slug_follows": content.SlugFollowsTitle(d),
			"edit": "/admin/documents/" + d.ID, "autosave": "/admin/documents/" + d.ID + "/autosave",
			"lock": "/api/v1/documents/" + d.ID + "/lock",
		})
	}
	return h.redirect(c, "/admin/documents/"+d.ID, "ok", "Draft created.")
}

// slugPreview shows the address a document will have, derived the way
// the content service derives it.
func (h *handler) slugPreview(c echo.Context) error {
	f := docForm{Title: c.QueryParam("title"), Slug: strings.TrimSpace(c.QueryParam("slug"))}
	series := c.QueryParam("series")
	if series == "" {
		series = "…"
	}
	slug := derivedSlug(f)
	if slug == "" {
		slug = "…"
	}
	return c.HTML(http.StatusOK, "/"+htmlEscape(series)+"/"+htmlEscape(slug))
}

type listData struct {
	Rows                 []docRow
	Query, State, Series string
	Next                 string
	States               []workflow.State
	AllSeries            []content.Series
}

// listDocuments is the staff search: every document the person may see,
// filtered by title, state and series.
func (h *handler) listDocuments(c echo.Context) error {
	ctx := c.Request().Context()
	cat, err := h.catalog(ctx)
	if err != nil {
		return err
	}
	q := content.ListQuery{Query: c.QueryParam("q"), State: c.QueryParam("state"), Series: c.QueryParam("series"),
		Cursor: c.QueryParam("cursor"), Limit: 50}
	p, err := h.Content.Documents(ctx, actorOf(c), q)
	if err != nil {
		return err
	}
	data := listData{Query: q.Query, State: q.State, Series: q.Series, Next: p.NextCursor, States: workflow.States, AllSeries: cat.series}
	for _, d := range p.Data {
		data.Rows = append(data.Rows, cat.row(d))
	}
	return h.render(c, http.StatusOK, "documents.html", "Documents", data)
}

// creditMissing says, when d's series requires a credit (a publish gate)
// that d lacks, what is missing: "No credits yet" or the role's credit.
func creditMissing(series []content.Series, d content.Document) string {
	for _, s := range series {
		if s.Slug != d.Series || s.RequiresCredit == "" {
			continue
		}
		for _, c := range d.Credits {
			if c.Role == s.RequiresCredit {
				return ""
			}
		}
		if len(d.Credits) == 0 {
			return "No credits yet (" + s.Name + " requires a credit as " + s.RequiresCredit + ")"
		}
		return "No credit as " + s.RequiresCredit + " yet (" + s.Name + " requires one)"
	}
	return ""
}
