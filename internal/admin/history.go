package admin

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
)

// historyItem is a workflow event or a comment in the history panel.
type historyItem struct {
	At      time.Time
	Who     string
	Event   *content.Event
	Comment *content.Comment
	Label   string // what happened, for events
	Field   string // the field label a comment is about
}

var eventLabels = map[string]string{
	"create": "created the document", "edit": "edited", "credits": "changed the credits", "restore": "restored a revision",
	"submit": "submitted for review", "withdraw": "withdrew from review", "request_changes": "requested changes",
	"approve": "approved", "publish": "published", "schedule": "scheduled", "unschedule": "unscheduled",
	"clock": "published on schedule", "unpublish": "unpublished", "archive": "archived", "restore_archived": "restored",
	// Changes of shared catalog objects that the live page shows at once.
	content.EventContributorUpdate: "changed a contributor the live page credits",
	media.EventUpdate:              "changed the live hero image's attribution",
}

// history merges the document's workflow events and comments, newest
// first.
func (h *handler) history(ctx context.Context, actor cms.Actor, d content.Document, cat catalogue) ([]historyItem, error) {
	events, err := h.Content.Events(ctx, actor, d.ID)
	if err != nil {
		return nil, err
	}
	comments, err := h.Content.Comments(ctx, actor, d.ID)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{"title": "Title", "slug": "Slug", "topics": "Topics", "byline": "Byline", "hero": "Hero image", "credits": "Credits"}
	if ct, err := h.Content.ContentType(ctx, d.Type); err == nil {
		for _, f := range ct.Fields {
			labels[f.Name] = f.Label
		}
	}
	var out []historyItem
	for i := range events {
		e := &events[i]
		label, ok := eventLabels[e.Action]
		if !ok {
			label = strings.ReplaceAll(e.Action, "_", " ")
		}
		if e.Action == "restore" && e.From == "archived" {
			label = "restored from the archive"
		}
		if e.Action == "approve" && e.To == "in_review" {
			label = "gave the first of two approvals"
		}
		out = append(out, historyItem{At: e.CreatedAt, Who: cat.name(e.ActorID), Event: e, Label: label})
	}
	for i := range comments {
		cm := &comments[i]
		out = append(out, historyItem{At: cm.CreatedAt, Who: cat.name(cm.AuthorID), Comment: cm, Field: labels[cm.Field]})
	}
	slices.SortStableFunc(out, func(a, b historyItem) int { return b.At.Compare(a.At) })
	return out, nil
}

func (h *handler) addComment(c echo.Context) error {
	id := c.Param("id")
	in := content.NewComment{Field: c.FormValue("field"), Body: c.FormValue("body")}
	if _, err := h.Content.AddComment(c.Request().Context(), actorOf(c), id, in); err != nil {
		msg, ok := h.explain(c.Request().Context(), actorOf(c), id, err)
		if !ok {
			return err
		}
		return h.redirect(c, "/admin/documents/"+id+"#history", "error", msg)
	}
	return h.redirect(c, "/admin/documents/"+id+"#history", "ok", "Comment added.")
}

func (h *handler) resolveComment(c echo.Context) error {
	id := c.Param("id")
	if _, err := h.Content.ResolveComment(c.Request().Context(), actorOf(c), id, c.Param("cid")); err != nil {
		return err
	}
	return h.redirect(c, "/admin/documents/"+id+"#history", "ok", "Comment resolved.")
}
