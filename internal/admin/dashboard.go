package admin

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

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
	// Due is the document's due date; Late says how late it is ("3 hours
	// late"), empty when it is not overdue.
	Due  *time.Time
	Late string
	Mine bool // assigned to the person whose list it is
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
	cat, err := h.catalog(ctx)
	if err != nil {
		return err
	}
	l := lister{h: h, ctx: ctx, actor: actorOf(c), cat: cat}
	data := dashboardData{CanCreate: h.canSomewhere(l.actor, cat.series, "create", "")}
	planned, err := l.planned()
	if err != nil {
		return err
	}
	data.Sections = append(data.Sections, planned...)
	changes, mine, err := l.ownWork()
	if err != nil {
		return err
	}
	// Publishers write nothing, so their dashboard starts with their queues.
	if data.CanCreate || len(changes.Rows) > 0 || len(mine.Rows) > 0 {
		data.Sections = append(data.Sections, changes, mine)
	}
	queues, err := l.queues()
	if err != nil {
		return err
	}
	data.Sections = append(data.Sections, queues...)
	recent, err := l.recent()
	if err != nil {
		return err
	}
	data.Sections = append(data.Sections, recent)
	return h.render(c, http.StatusOK, "dashboard.html", "Dashboard", data)
}

// lister fills the dashboard's lists for one person.
type lister struct {
	h     *handler
	ctx   context.Context
	actor cms.Actor
	cat   catalogue
}

// list returns the documents of q the person may see, keeping those keep
// accepts, and whether the listing was cut.
func (l lister) list(q content.ListQuery, keep func(content.Document) bool) ([]content.Document, bool, error) {
	q.Limit = listLimit
	p, err := l.h.Content.Documents(l.ctx, l.actor, q)
	if err != nil {
		return nil, false, err
	}
	var out []content.Document
	for _, d := range p.Data {
		if keep == nil || keep(d) {
			// Who else is editing it shows on the card.
			if d.Lock, err = l.h.Content.HeldByOther(l.ctx, l.actor, d); err != nil {
				return nil, false, err
			}
			out = append(out, d)
		}
	}
	return out, p.NextCursor != "", nil
}

// planned is what waits for the person ("Assigned to me") and, of what
// they may see, what is late ("Overdue"), most late first.
func (l lister) planned() ([]section, error) {
	mine, more, err := l.list(content.ListQuery{Assignee: "me"}, nil)
	if err != nil {
		return nil, err
	}
	assigned := section{ID: "assigned", Title: "Assigned to me", Empty: "Nothing is assigned to you.", More: more}
	for _, d := range mine {
		assigned.Rows = append(assigned.Rows, l.cat.row(d))
	}
	late, more, err := l.list(content.ListQuery{Overdue: "true"}, nil)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(late, func(a, b content.Document) int { return a.DueAt.Compare(*b.DueAt) })
	overdue := section{ID: "overdue", Title: "Overdue", Empty: "Nothing is overdue.", More: more}
	for _, d := range late {
		overdue.Rows = append(overdue.Rows, l.cat.row(d))
	}
	return []section{assigned, overdue}, nil
}

// ownWork is the person's drafts, split into those an editor sent back
// (with the editor's note) and the rest.
func (l lister) ownWork() (changes, mine section, err error) {
	drafts, more, err := l.list(content.ListQuery{Owner: l.actor.UserID, State: string(workflow.Draft)}, nil)
	if err != nil {
		return section{}, section{}, err
	}
	mine = section{ID: "my-drafts", Title: "My drafts", Empty: "You have no drafts.", More: more}
	changes = section{ID: "changes-requested", Title: "Changes requested of me", Empty: "No changes requested."}
	for _, d := range drafts {
		row := l.cat.row(d)
		if note, ok := l.h.changesRequested(l.ctx, l.actor, d); ok {
			row.Note = note
			changes.Rows = append(changes.Rows, row)
			continue
		}
		mine.Rows = append(mine.Rows, row)
	}
	return changes, mine, nil
}

// dashboardQueues are the lists of documents waiting for someone who may
// take the action, one for what each role acts on: assistants copy-edit
// what is in review, editors approve it, publishers publish what is
// approved. A queue whose work is already in one shown before it
// (skipIf) is left out: an editor copy-edits too, but reviews.
var dashboardQueues = []struct {
	id, title, empty, act string
	state                 workflow.State
	skipIf                workflow.Action // the person may also do this, in a queue of its own
}{
	{"review", "Waiting for my review", "Nothing waits for your review.", "approve", workflow.InReview, ""},
	{"copy-edit", "In review, to copy-edit", "Nothing in review waits for a copy-edit.", "edit", workflow.InReview, workflow.Approve},
	{"ready", "Ready to publish", "Nothing is ready to publish.", "publish", workflow.Approved, ""},
	{"scheduled", "Scheduled", "Nothing is scheduled.", "unschedule", workflow.Scheduled, ""},
}

func (l lister) queues() ([]section, error) {
	var out []section
	for _, q := range dashboardQueues {
		if !l.h.canSomewhere(l.actor, l.cat.series, q.act, string(q.state)) {
			continue
		}
		if q.skipIf != "" && l.h.canSomewhere(l.actor, l.cat.series, string(q.skipIf), string(q.state)) {
			continue
		}
		var keepErr error
		docs, more, err := l.list(content.ListQuery{State: string(q.state)}, func(d content.Document) bool {
			// The enforcer decides with what the action itself is
			// decided on: for an approval, whose eyes are stale (the
			// owner, who rewrote it, who approved this revision).
			obj, err := l.h.Content.ActionObject(l.ctx, d, workflow.Action(q.act))
			if err != nil {
				keepErr = err
				return false
			}
			return l.h.Authz.Allowed(l.actor, q.act, obj)
		})
		if err == nil {
			err = keepErr
		}
		if err != nil {
			return nil, err
		}
		// What is assigned to the person comes first.
		slices.SortStableFunc(docs, func(a, b content.Document) int {
			return boolRank(assignedTo(b, l.actor.UserID)) - boolRank(assignedTo(a, l.actor.UserID))
		})
		s := section{ID: q.id, Title: q.title, Empty: q.empty, More: more}
		for _, d := range docs {
			r := l.cat.row(d)
			r.Mine = assignedTo(d, l.actor.UserID)
			if d.ScheduledFor != nil {
				r.At = *d.ScheduledFor
			}
			s.Rows = append(s.Rows, r)
		}
		out = append(out, s)
	}
	return out, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// recent is the ten documents published last.
func (l lister) recent() (section, error) {
	published, _, err := l.list(content.ListQuery{State: string(workflow.Published)}, nil)
	if err != nil {
		return section{}, err
	}
	s := section{ID: "published", Title: "Recently published", Empty: "Nothing published yet."}
	for i, d := range published {
		if i == 10 {
			break
		}
		r := l.cat.row(d)
		if d.LastPublishedAt != nil {
			r.At = *d.LastPublishedAt
		}
		s.Rows = append(s.Rows, r)
	}
	return s, nil
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
	r := docRow{Doc: d, SeriesName: cat.seriesName[d.Series], OwnerName: cat.userName[d.OwnerID], Due: d.DueAt}
	if d.DueAt != nil && inTheWorks(d.State) {
		r.Late = lateBy(time.Since(*d.DueAt))
	}
	return r
}

// inTheWorks reports whether a document in state can still be late: one
// scheduled, published or archived has moved on.
func inTheWorks(s workflow.State) bool {
	return s != workflow.Scheduled && s != workflow.Published && s != workflow.Archived
}

// lateBy says how late something is, in the largest whole unit; "" when
// it is not late.
func lateBy(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Hour:
		return plural(int(d/time.Minute)+1, "minute") + " late"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " late"
	default:
		return plural(int(d/(24*time.Hour)), "day") + " late"
	}
}

// plural says n things.
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func (cat catalogue) name(userID string) string {
	if n, ok := cat.userName[userID]; ok {
		return n
	}
	return "someone"
}

// assignedTo reports whether the document waits for userID by name.
func assignedTo(d content.Document, userID string) bool {
	return d.Assignee != nil && *d.Assignee == userID
}
