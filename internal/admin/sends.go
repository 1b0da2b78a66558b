package admin

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/server"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// docNewsletter is the newsletter part of the document page: its sends
// with their progress, the lists it may be sent to now, the test send.
type docNewsletter struct {
	Sends   []sendView
	SendTo  []content.Series // enabled lists with no send of it yet
	CanTest bool
}

// sendView is one send's progress and its failed recipients, as the
// progress fragment polls it.
type sendView struct {
	newsletter.Send
	Done     int // recipients done with, whatever the outcome
	Percent  int
	Failures []newsletter.Recipient
	CSRF     string
}

// Running is true while the send still moves, so the page polls it.
func (v sendView) Running() bool {
	return v.Status == newsletter.SendQueued || v.Status == newsletter.SendSending
}

// maxFailures is how many failed recipients the page lists per send;
// the API pages through the rest.
const maxFailures = 50

// docNewsletter gathers the newsletter part of d's page; nil when the
// person may do nothing with its newsletters.
func (h *handler) docNewsletter(ctx context.Context, actor cms.Actor, csrf string, d content.Document) (*docNewsletter, error) {
	if h.Editions == nil {
		return nil, nil
	}
	out := &docNewsletter{CanTest: h.Newsletter != nil && h.Authz.Allowed(actor, "test_send", content.DocumentObject(d))}
	sends, err := h.Editions.Sends(ctx, actor, newsletter.SendFilter{DocumentID: d.ID})
	if err != nil {
		return nil, err
	}
	sent := map[string]bool{}
	for _, s := range sends {
		sent[s.Series] = true
		v, err := h.sendView(ctx, actor, csrf, s)
		if err != nil {
			return nil, err
		}
		out.Sends = append(out.Sends, v)
	}
	if d.State == workflow.Published {
		if out.SendTo, err = h.sendable(ctx, actor, d, sent); err != nil {
			return nil, err
		}
	}
	if !out.CanTest && len(out.Sends) == 0 && len(out.SendTo) == 0 {
		return nil, nil
	}
	return out, nil
}

// sendable are the lists of d's series and its parent that the person
// may send to, whose newsletter is on, and that have not had d yet.
func (h *handler) sendable(ctx context.Context, actor cms.Actor, d content.Document, sent map[string]bool) ([]content.Series, error) {
	own, err := h.Content.Series(ctx, d.Series)
	if err != nil {
		return nil, err
	}
	lists := []content.Series{own}
	if own.Parent != nil {
		parent, err := h.Content.Series(ctx, *own.Parent)
		if err != nil {
			return nil, err
		}
		lists = append(lists, parent)
	}
	var out []content.Series
	for _, sr := range lists {
		if sent[sr.Slug] || !h.Authz.Allowed(actor, "manage", newsletterObj(sr)) {
			continue
		}
		set, err := h.Editions.Settings(ctx, actor, sr.Slug)
		if err != nil {
			return nil, err
		}
		if set.Enabled {
			out = append(out, sr)
		}
	}
	return out, nil
}

func (h *handler) sendView(ctx context.Context, actor cms.Actor, csrf string, s newsletter.Send) (sendView, error) {
	v := sendView{Send: s, Done: s.Sent + s.Failed + s.Bounced + s.Skipped, CSRF: csrf}
	if s.Recipients > 0 {
		v.Percent = v.Done * 100 / s.Recipients
	}
	for _, status := range []string{newsletter.RcptFailed, newsletter.RcptBounced} {
		if (status == newsletter.RcptFailed && s.Failed == 0) || (status == newsletter.RcptBounced && s.Bounced == 0) {
			continue
		}
		rows, err := h.Editions.Recipients(ctx, actor, s.ID, status, "", maxFailures)
		if err != nil {
			return sendView{}, err
		}
		v.Failures = append(v.Failures, rows...)
	}
	return v, nil
}

// sendProgress answers one send's progress fragment, which the document
// page polls every two seconds while the send runs.
func (h *handler) sendProgress(c echo.Context) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	s, err := h.Editions.Send(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	v, err := h.sendView(ctx, actor, sess.CSRF, s)
	if err != nil {
		return err
	}
	html, err := h.fragmentFor(c, "editor.html", "sendProgress", v)
	if err != nil {
		return err
	}
	return c.HTML(http.StatusOK, html)
}

// createSend sends the live document to the chosen list now.
func (h *handler) createSend(c echo.Context) error {
	id := c.Param("id")
	s, err := h.Editions.CreateSend(c.Request().Context(), actorOf(c), id, c.FormValue("series"))
	if err != nil {
		return h.sendFailed(c, "/admin/documents/"+id+"#newsletter", err)
	}
	return h.redirect(c, "/admin/documents/"+id+"#newsletter", "ok", "Sending to the list of "+s.Series+".")
}

// pauseSend and resumeSend hold a send and go on with it; the page it
// returns to shows where it stands.
func (h *handler) pauseSend(c echo.Context) error {
	return h.setSend(c, h.Editions.Pause, "Paused the send.")
}

func (h *handler) resumeSend(c echo.Context) error {
	return h.setSend(c, h.Editions.Resume, "Resumed the send.")
}

func (h *handler) setSend(c echo.Context, op func(context.Context, cms.Actor, string) (newsletter.Send, error), done string) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	s, err := h.Editions.Send(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	back := "/admin/documents/" + s.DocumentID + "#newsletter"
	if _, err := op(ctx, actor, s.ID); err != nil {
		return h.sendFailed(c, back, err)
	}
	return h.redirect(c, back, "ok", done)
}

// testSend mails the head revision to the person who asks, nobody else.
func (h *handler) testSend(c echo.Context) error {
	ctx, actor, id := c.Request().Context(), actorOf(c), c.Param("id")
	if _, err := h.Content.Authorize(ctx, actor, id, "test_send"); err != nil {
		return err
	}
	doc, err := h.Live.RenderHead(ctx, actor, id)
	if err != nil {
		return err
	}
	m, err := h.Newsletter.SendTest(ctx, doc, c.FormValue("series"), actor.Email)
	if err != nil {
		return h.sendFailed(c, "/admin/documents/"+id+"#newsletter", err)
	}
	return h.redirect(c, "/admin/documents/"+id+"#newsletter", "ok", "Sent a test to "+m.To+".")
}

// newsletterPreview shows the HTML part the head revision would be
// mailed with.
func (h *handler) newsletterPreview(c echo.Context) error {
	ctx := c.Request().Context()
	doc, err := h.Live.RenderHead(ctx, actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	html, err := h.Newsletter.PreviewEdition(ctx, doc, c.QueryParam("series"))
	if err != nil {
		return err
	}
	return server.InertHTML(c, html)
}

// sendFailed shows a refused newsletter action on the page it came from
// (a send that exists, a newsletter that is off), but answers 403 to
// whoever may not act at all.
func (h *handler) sendFailed(c echo.Context, back string, err error) error {
	var ce *cms.Error
	if asCMS(err, &ce) && ce.Code == cms.CodeForbidden {
		return err
	}
	return h.failed(c, back, err)
}
