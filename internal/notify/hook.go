package notify

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Hook is the content hook that notifies, inside the document's
// transaction: a notification is written, and its mail queued, exactly
// when the change commits.
type Hook struct{ s *Service }

// Hook returns the content hook of the service.
func (s *Service) Hook() Hook { return Hook{s: s} }

// DocumentChanged notifies the people a workflow step concerns.
func (h Hook) DocumentChanged(ctx context.Context, tx content.Store, c content.Change) error {
	if c.After == nil {
		return nil
	}
	kind, who := h.s.concerned(ctx, tx, c)
	if kind == "" {
		return nil
	}
	st, ok := tx.(Store)
	if !ok {
		return fmt.Errorf("notify: the content store keeps no notifications")
	}
	return h.s.send(ctx, st, kind, *c.After, c.Event.ActorID, noteOf(kind, c.Event.Note), who)
}

// CommentAdded tells each person a comment mentions (@name).
func (h Hook) CommentAdded(ctx context.Context, tx content.Store, d content.Document, cm content.Comment) error {
	st, ok := tx.(Store)
	if !ok {
		return fmt.Errorf("notify: the content store keeps no notifications")
	}
	users, err := st.FindUsers(ctx)
	if err != nil {
		return err
	}
	var who []string
	for _, name := range mentions(cm.Body) {
		for _, u := range users {
			if handle(u) == name {
				who = append(who, u.ID)
			}
		}
	}
	return h.s.send(ctx, st, Mentioned, d, cm.AuthorID, cm.Body, who)
}

// noteOf keeps the note a kind shows: the editor's, for changes requested.
func noteOf(kind Kind, note string) string {
	if kind == ChangesRequested {
		return note
	}
	return ""
}

var mention = regexp.MustCompile(`(?:^|[^\w@.])@([\p{L}\p{N}._-]+)`)

// mentions lists the handles a text mentions, lower-cased.
func mentions(text string) []string {
	var out []string
	for _, m := range mention.FindAllStringSubmatch(text, -1) {
		name := strings.ToLower(strings.TrimRight(m[1], "."))
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// handle is how a comment mentions a user: the part of their address
// before the @ ("@melissa.cho" for melissa.cho@example.org).
func handle(u auth.User) string {
	local, _, _ := strings.Cut(u.Email, "@")
	return strings.ToLower(local)
}

// concerned decides what a change is to say and to whom (before the
// filters of send: not the actor, only readers).
func (s *Service) concerned(ctx context.Context, tx content.Store, c content.Change) (Kind, []string) {
	d := *c.After
	switch workflow.Action(c.Event.Action) {
	case workflow.Submit:
		if d.Assignee != nil {
			return Submitted, []string{*d.Assignee}
		}
		return Submitted, s.mayAll(ctx, tx, "approve", d)
	case workflow.RequestChanges:
		return ChangesRequested, append([]string{d.OwnerID}, assignees(c)...)
	case workflow.Approve:
		if d.State != workflow.Approved {
			return "", nil // a first of two approvals
		}
		return Approved, append([]string{d.OwnerID}, s.mayAll(ctx, tx, "publish", d)...)
	case workflow.Publish, workflow.Clock:
		return Published, append([]string{d.OwnerID}, credited(ctx, tx, d)...)
	case workflow.Schedule:
		return Scheduled, append([]string{d.OwnerID}, credited(ctx, tx, d)...)
	case "assign":
		if d.Assignee != nil && (c.Before == nil || c.Before.Assignee == nil || *c.Before.Assignee != *d.Assignee) {
			return Assigned, []string{*d.Assignee}
		}
	}
	return "", nil
}

// assignees are the assignee of a change, before and after it.
func assignees(c content.Change) []string {
	var out []string
	for _, d := range []*content.Document{c.Before, c.After} {
		if d != nil && d.Assignee != nil {
			out = append(out, *d.Assignee)
		}
	}
	return out
}

// mayAll lists the users the enforcer allows act on d (the series'
// editors for "approve", publishers for "publish").
func (s *Service) mayAll(ctx context.Context, tx content.Store, act string, d content.Document) []string {
	st, ok := tx.(Store)
	if !ok {
		return nil
	}
	users, err := st.FindUsers(ctx)
	if err != nil {
		return nil
	}
	obj := content.DocumentObject(d)
	var out []string
	for _, u := range users {
		if u.Active && s.authz.Allowed(cms.Actor{UserID: u.ID}, act, obj) {
			out = append(out, u.ID)
		}
	}
	return out
}

// credited lists the users among a document's credited contributors.
func credited(ctx context.Context, tx content.Store, d content.Document) []string {
	var out []string
	for _, cr := range d.Credits {
		c, err := tx.FindContributor(ctx, cr.Contributor)
		if err == nil && c.UserID != nil {
			out = append(out, *c.UserID)
		}
	}
	return out
}
