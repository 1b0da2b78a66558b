package admin

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// docRow is a document in a list, with what the list says about it.
type docRow struct {
	Doc        content.Document
	SeriesName string
	OwnerName  string
	Note       string // the editor's note, for changes requested
	At         any    // the time the list is about (scheduled for, published at)
}

// section is one list of the dashboard.
type section struct {
	ID, Title, Empty string
	Rows             []docRow
	More             bool // the list was cut at listLimit
}

const listLimit = 100

type dashboardData struct {
	Sections  []section
	CanCreate bool
}

// dashboard shows the person's own work and what waits for them: only
// documents they may see, and review and publish queues only for those
// the enforcer lets act on them.
func (h *handler) dashboard(c echo.Context) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	cat, err := h.catalog(ctx)
	if err != nil {
		return err
	}
	list := func(q content.ListQuery, keep func(content.Document) bool) ([]content.Document, bool, error) {
		q.Limit = listLimit
		p, err := h.Content.Documents(ctx, actor, q)
		if err != nil {
			return nil, false, err
		}
		var out []content.Document
		for _, d := range p.Data {
			if keep == nil || keep(d) {
				out = append(out, d)
			}
		}
		return out, p.NextCursor != "", nil
	}
	may := func(act string) func(content.Document) bool {
		return func(d content.Document) bool { return h.Authz.Allowed(actor, act, content.DocumentObject(d)) }
	}
	var data dashboardData
	data.CanCreate = h.canSomewhere(actor, cat.series, "create", "")

	drafts, more, err := list(content.ListQuery{Owner: actor.UserID, State: string(workflow.Draft)}, nil)
	if err != nil {
		return err
	}
	mine := section{ID: "my-drafts", Title: "My drafts", Empty: "You have no drafts.", More: more}
	changes := section{ID: "changes-requested", Title: "Changes requested of me", Empty: "No changes requested."}
	for _, d := range drafts {
		row := cat.row(d)
		if note, ok := h.changesRequested(ctx, actor, d); ok {
			row.Note = note
			changes.Rows = append(changes.Rows, row)
			continue
		}
		mine.Rows = append(mine.Rows, row)
	}
	// Publishers write nothing, so their dashboard starts with their queues.
	if data.CanCreate || len(changes.Rows) > 0 || len(mine.Rows) > 0 {
		data.Sections = append(data.Sections, changes, mine)
	}

	queues := []struct {
		id, title, empty, act string
		state                 workflow.State
	}{
		{"review", "Waiting for my review", "Nothing waits for your review.", "approve", workflow.InReview},
		{"ready", "Approved, ready to publish", "Nothing is ready to publish.", "publish", workflow.Approved},
		{"scheduled", "Scheduled", "Nothing is scheduled.", "unschedule", workflow.Scheduled},
	}
	for _, q := range queues {
		if !h.canSomewhere(actor, cat.series, q.act, string(q.state)) {
			continue
		}
		docs, more, err := list(content.ListQuery{State: string(q.state)}, may(q.act))
		if err != nil {
			return err
		}
		s := section{ID: q.id, Title: q.title, Empty: q.empty, More: more}
		for _, d := range docs {
			r := cat.row(d)
			if d.ScheduledFor != nil {
				r.At = *d.ScheduledFor
			}
			s.Rows = append(s.Rows, r)
		}
		data.Sections = append(data.Sections, s)
	}
	published, _, err := list(content.ListQuery{State: string(workflow.Published), Limit: 10}, nil)
	if err != nil {
		return err
	}
	recent := section{ID: "published", Title: "Recently published", Empty: "Nothing published yet."}
	for i, d := range published {
		if i == 10 {
			break
		}
		r := cat.row(d)
		if d.LastPublishedAt != nil {
			r.At = *d.LastPublishedAt
		}
		recent.Rows = append(recent.Rows, r)
	}
	data.Sections = append(data.Sections, recent)
	return h.render(c, http.StatusOK, "dashboard.html", "Dashboard", data)
}

// changesRequested reports whether the document is a draft because an
// editor sent it back, with the editor's note.
func (h *handler) changesRequested(ctx context.Context, actor cms.Actor, d content.Document) (string, bool) {
	events, err := h.Content.Events(ctx, actor, d.ID)
	if err != nil || len(events) == 0 {
		return "", false
	}
	for i := len(events) - 1; i >= 0; i-- {
		switch events[i].Action {
		case string(workflow.RequestChanges):
			return events[i].Note, true
		case string(workflow.Submit), string(workflow.Withdraw), string(workflow.Restore), "unpublish":
			return "", false
		}
	}
	return "", false
}

// canSomewhere asks the enforcer whether the person may take act on some
// document (not their own) in a given state in at least one series: it
// decides which queues the dashboard shows.
func (h *handler) canSomewhere(actor cms.Actor, series []content.Series, act, state string) bool {
	for _, s := range series {
		obj := authz.Object{Kind: "document", Series: s.Path(), State: state, OwnerID: "\x00someone else"}
		if act == "create" {
			obj = authz.Object{Kind: "document", Series: s.Path()}
		}
		if h.Authz.Allowed(actor, act, obj) {
			return true
		}
	}
	return false
}

// catalogue is what lists need to name things: series and users.
type catalogue struct {
	series     []content.Series
	seriesName map[string]string
	userName   map[string]string
}

func (h *handler) catalog(ctx context.Context) (catalogue, error) {
	series, err := h.Content.AllSeries(ctx)
	if err != nil {
		return catalogue{}, err
	}
	users, err := h.Auth.Users(ctx)
	if err != nil {
		return catalogue{}, err
	}
	cat := catalogue{series: series, seriesName: map[string]string{}, userName: map[string]string{"system": "Masthead"}}
	for _, s := range series {
		cat.seriesName[s.Slug] = s.Name
	}
	for _, u := range users {
		cat.userName[u.ID] = u.Name
	}
	return cat, nil
}

func (cat catalogue) row(d content.Document) docRow {
	return docRow{Doc: d, SeriesName: cat.seriesName[d.Series], OwnerName: cat.userName[d.OwnerID]}
}

func (cat catalogue) name(userID string) string {
	if n, ok := cat.userName[userID]; ok {
		return n
	}
	return "someone"
}
