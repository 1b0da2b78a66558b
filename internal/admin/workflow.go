package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// actionView is a workflow button the person may press now.
type actionView struct {
	Name, Label, Done string
	Note              bool // a note field
	NoteRequired      bool
	At                bool // a date-time picker
	Danger            bool
}

var actionViews = map[workflow.Action]actionView{
	workflow.Submit:         {Label: "Submit for review", Done: "Submitted for review."},
	workflow.Withdraw:       {Label: "Withdraw from review", Done: "Withdrawn; the document is a draft again."},
	workflow.RequestChanges: {Label: "Request changes", Done: "Sent back to the writer with your note.", Note: true, NoteRequired: true},
	workflow.Approve:        {Label: "Approve", Done: "Approved.", Note: true},
	workflow.Publish:        {Label: "Publish now", Done: "Published."},
	workflow.Schedule:       {Label: "Schedule", Done: "Scheduled.", At: true},
	workflow.Unschedule:     {Label: "Unschedule", Done: "Unscheduled; the document is approved again."},
	workflow.Unpublish:      {Label: "Unpublish", Done: "Unpublished.", Danger: true},
	workflow.Archive:        {Label: "Archive", Done: "Archived.", Danger: true},
	workflow.Restore:        {Label: "Restore to draft", Done: "Restored as a draft."},
}

// actions lists what the person may do to the document now: the state
// table says whether the move exists from here, the enforcer whether this
// person may make it. Templates only show the result. held is why an
// editor whose eyes are stale may not approve (empty otherwise), so the
// page says so instead of hiding the button without a word.
func (h *handler) actions(ctx context.Context, actor cms.Actor, d content.Document) (out []actionView, held string, err error) {
	for _, a := range workflow.Actions {
		if _, err := workflow.Next(d.State, a, d.LiveRevision != nil); err != nil {
			continue
		}
		obj, err := h.Content.ActionObject(ctx, d, a)
		if err != nil {
			return nil, "", err
		}
		if err := h.Authz.Can(actor, string(a), obj); err != nil {
			var ce *cms.Error
			if why, ok := obj.Stale[actor.UserID]; ok && asCMS(err, &ce) && ce.Message == why {
				held = why
			}
			continue
		}
		v := actionViews[a]
		v.Name = string(a)
		if a == workflow.Approve && d.ApprovalsRequired > 1 {
			v.Label = fmt.Sprintf("Approve (%d of %d)", len(d.Approvals)+1, d.ApprovalsRequired)
		}
		out = append(out, v)
	}
	return out, held, nil
}

// transitionDocument moves the document through the workflow, based on
// the version the page showed.
func (h *handler) transitionDocument(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	back := "/admin/documents/" + id
	in := map[string]any{"action": c.FormValue("action"), "note": strings.TrimSpace(c.FormValue("note"))}
	if c.FormValue("action") == string(workflow.Schedule) {
		at, err := parseLocalTime(c.FormValue("at"), c.FormValue("tz"))
		if err != nil {
			return h.redirect(c, back, "error", err.Error())
		}
		in["at"] = at.Format(time.RFC3339)
	}
	// Decoded as the API decodes a transition, so the time travels in the
	// one format the domain accepts.
	var req content.TransitionRequest
	raw, _ := json.Marshal(in)
	if err := json.Unmarshal(raw, &req); err != nil {
		return cms.Invalid("at", "must be a date and time")
	}
	// The UI always acts on the version the person saw: an approval of a
	// text someone changed since the page was loaded is a 412, never an
	// approval of words nobody read.
	based := atoi(c.FormValue("version"))
	if based < 1 {
		return cms.Errorf(cms.CodePreconditionNeeded, "the form lacks the version it was loaded at; reload the page")
	}
	d, err := h.Content.Transition(ctx, actorOf(c), id, req, &based)
	if err != nil {
		msg, ok := h.explain(ctx, actorOf(c), id, err)
		if !ok {
			return err
		}
		return h.redirect(c, back, "error", msg)
	}
	done := actionViews[workflow.Action(req.Action)].Done
	if req.Action == string(workflow.Approve) && d.State == workflow.InReview {
		done = fmt.Sprintf("Approved: %d of %d approvals; another editor must give the next.", len(d.Approvals), d.ApprovalsRequired)
	}
	if d.ScheduledFor != nil && req.Action == string(workflow.Schedule) {
		done = "Scheduled for " + h.clock(c).format(*d.ScheduledFor) + "."
	}
	return h.redirect(c, back, "ok", done)
}

// parseLocalTime reads a datetime-local value ("2026-05-01T09:30") in the
// writer's IANA time zone, which the page's script fills in; without it
// the time is UTC, as the page then says.
func parseLocalTime(value, tz string) (time.Time, error) {
	loc := time.UTC
	if tz != "" && len(tz) < 64 {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(value), loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("choose a date and time to schedule for")
}

// explain turns an error the person can act on into a sentence for the
// page; other errors (not found, internal) are not explained.
func (h *handler) explain(ctx context.Context, actor cms.Actor, id string, err error) (string, bool) {
	var ce *cms.Error
	if !asCMS(err, &ce) {
		return "", false
	}
	switch ce.Code {
	case cms.CodeInvalid:
		labels := map[string]string{"note": "The note", "at": "The time", "title": "The title", "slug": "The slug"}
		if d, err := h.Content.Document(ctx, actor, id); err == nil {
			if ct, err := h.Content.ContentType(ctx, d.Type); err == nil {
				for _, f := range ct.Fields {
					labels["fields."+f.Name] = f.Label
				}
			}
		}
		var parts []string
		for _, f := range ce.Fields {
			label, ok := labels[f.Field]
			if !ok {
				label = f.Field
			}
			parts = append(parts, label+" "+f.Message)
		}
		if len(parts) == 0 {
			return ce.Message, true
		}
		return strings.Join(parts, "; ") + ".", true
	case cms.CodePreconditionFailed:
		return "Someone changed this document since you opened it; nothing was done. Check the latest version and try again.", true
	case cms.CodeConflict, cms.CodeForbidden:
		msg := ce.Message
		return strings.ToUpper(msg[:1]) + msg[1:] + ".", true
	}
	return "", false
}
