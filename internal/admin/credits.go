package admin

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// creditsData is the credits editor.
type creditsData struct {
	Doc          content.Document
	Rows         []content.Credit // the credits and one blank row to add another
	Contributors []content.Contributor
	Line         string
	CanEdit      bool
	Error        string
	RowErrors    map[int]string  // a refusal's words beside the row it is about
	Credited     map[string]bool // contributors with a row: not offered again in another
	Version      int
}

// creditRows reads the credits form: parallel role and contributor
// fields in display order, with a list operation from a button pressed
// without scripts.
func creditRows(c echo.Context) ([]content.CreditInput, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, err
	}
	roles, contributors := form["role"], form["contributor"]
	var rows []content.CreditInput
	for i, slug := range contributors {
		if slug = strings.TrimSpace(slug); slug == "" {
			continue
		}
		role := "contributor"
		if i < len(roles) && roles[i] != "" {
			role = roles[i]
		}
		rows = append(rows, content.CreditInput{Role: role, Contributor: slug})
	}
	if op := parseListOp(form.Get("list_op")); op.list == "credits" {
		rows = applyOp(rows, op.op, op.index)
	}
	return rows, nil
}

func (h *handler) creditsPage(c echo.Context) error {
	d, err := h.Content.Document(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return h.showCredits(c, http.StatusOK, d, d.Credits, "")
}

func (h *handler) showCredits(c echo.Context, status int, d content.Document, rows []content.Credit, msg string) error {
	return h.showCreditsWith(c, status, d, rows, msg, nil)
}

func (h *handler) showCreditsWith(c echo.Context, status int, d content.Document, rows []content.Credit, msg string, rowErrs map[int]string) error {
	contributors, err := h.Content.Contributors(c.Request().Context())
	if err != nil {
		return err
	}
	_, editErr := workflow.AfterEdit(d.State)
	data := creditsData{
		Doc: d, Rows: append(append([]content.Credit{}, rows...), content.Credit{}), Contributors: contributors,
		Line:    content.CreditLine(d.BylineName, rows),
		CanEdit: editErr == nil && h.Authz.Allowed(actorOf(c), "credits", content.DocumentObject(d)),
		Error:   msg, RowErrors: rowErrs, Credited: map[string]bool{}, Version: d.Version,
	}
	for _, r := range rows {
		data.Credited[r.Contributor] = true
	}
	return h.render(c, status, "credits.html", "Credits: "+d.Title, data)
}

// saveCredits replaces the credits, based on the version the page showed.
func (h *handler) saveCredits(c echo.Context) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	d, err := h.Content.Document(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	rows, err := creditRows(c)
	if err != nil {
		return err
	}
	if c.FormValue("list_op") != "" {
		named, _ := h.nameCredits(c, rows)
		return h.showCredits(c, http.StatusOK, d, named, "")
	}
	_, err = h.Content.SetCredits(ctx, actor, d.ID, atoi(c.FormValue("version")), rows)
	if err == nil {
		return h.redirect(c, "/admin/documents/"+d.ID+"/credits", "ok", "Credits saved.")
	}
	msg, ok := h.explain(ctx, actor, d.ID, err)
	if !ok {
		return err
	}
	named, _ := h.nameCredits(c, rows)
	var rowErrs map[int]string
	var ce *cms.Error
	if cms.IsCode(err, cms.CodeInvalid) && asCMS(err, &ce) {
		// The domain's words name the person and the rows; the page
		// shows them at the top and beside the row to change.
		msg = ce.Message + "."
		rowErrs = creditRowErrors(ce.Fields)
	}
	status := http.StatusUnprocessableEntity
	if cms.IsCode(err, cms.CodeForbidden) {
		status = http.StatusForbidden
		msg = "Only editors change credits."
	}
	if cms.IsCode(err, cms.CodePreconditionFailed) {
		status = http.StatusConflict
		msg = "Someone changed this document since you opened the credits; these are your credits, not saved yet. Check them and save again."
	}
	return h.showCreditsWith(c, status, d, named, msg, rowErrs)
}

// creditRowErrors places each problem of a refused credits list ("[3].contributor")
// beside its row.
func creditRowErrors(fields cms.Problems) map[int]string {
	out := map[int]string{}
	for _, f := range fields {
		var i int
		if _, err := fmt.Sscanf(f.Field, "[%d]", &i); err != nil {
			continue
		}
		msg := strings.ToUpper(f.Message[:1]) + f.Message[1:] + "."
		if prev, ok := out[i]; ok {
			msg = prev + " " + msg
		}
		out[i] = msg
	}
	return out
}

// nameCredits looks up the contributors' names, for the live credit line
// and for showing rows again.
func (h *handler) nameCredits(c echo.Context, rows []content.CreditInput) ([]content.Credit, error) {
	all, err := h.Content.Contributors(c.Request().Context())
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, ct := range all {
		names[ct.Slug] = ct.Name
	}
	out := make([]content.Credit, 0, len(rows))
	for _, r := range rows {
		if name, ok := names[r.Contributor]; ok {
			out = append(out, content.Credit{Role: r.Role, Contributor: r.Contributor, Name: name})
		}
	}
	return out, nil
}

// creditLine renders the credit line of the credits being edited, with
// the same function delivery uses, for the live preview.
func (h *handler) creditLine(c echo.Context) error {
	d, err := h.Content.Document(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	rows, err := creditRows(c)
	if err != nil {
		return err
	}
	named, err := h.nameCredits(c, rows)
	if err != nil {
		return err
	}
	line := content.CreditLine(d.BylineName, named)
	if line == "" {
		line = "No credits yet."
	}
	return c.HTML(http.StatusOK, htmlEscape(line))
}

type contributorMatch struct {
	Slug, Name string
}

// searchContributors finds contributors whose name or slug contains the
// query, for the credits editor's search as you type. People already
// credited (the form's contributor fields, sent along) are not offered
// again.
func (h *handler) searchContributors(c echo.Context) error {
	all, err := h.Content.Contributors(c.Request().Context())
	if err != nil {
		return err
	}
	credited := map[string]bool{}
	if form, err := c.FormParams(); err == nil {
		for _, slug := range form["contributor"] {
			credited[strings.TrimSpace(slug)] = true
		}
	}
	q := strings.ToLower(strings.TrimSpace(c.QueryParam("q")))
	var out []contributorMatch
	for _, ct := range all {
		if credited[ct.Slug] {
			continue
		}
		if q == "" || strings.Contains(strings.ToLower(ct.Name), q) || strings.Contains(ct.Slug, q) {
			out = append(out, contributorMatch{Slug: ct.Slug, Name: ct.Name})
		}
		if len(out) == 20 {
			break
		}
	}
	if wantsJSON(c) {
		return c.JSON(http.StatusOK, map[string]any{"data": out})
	}
	html, err := h.fragment("credits.html", "matches", matchesView{Query: q, Matches: out})
	if err != nil {
		return err
	}
	return c.HTML(http.StatusOK, html)
}

// matchesView is the search's answer: the matches of the query it was
// for, so that the page can tell an answer to an older query.
type matchesView struct {
	Query   string
	Matches []contributorMatch
}

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }
