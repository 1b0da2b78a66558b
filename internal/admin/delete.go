package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// deletable says why the person may not delete the document now, or nil:
// the content service refuses a live document whoever asks, and asks the
// enforcer about the rest.
func (h *handler) deletable(actor cms.Actor, d content.Document) error {
	if d.LiveRevision != nil {
		return cms.Errorf(cms.CodeConflict, "the document is live; unpublish it first")
	}
	return h.Authz.Can(actor, "delete", content.DocumentObject(d))
}

// confirmDelete asks before deleting. The strict CSP leaves no room for a
// script's confirm(), so the question is a page of its own, whose button
// posts the version it showed.
func (h *handler) confirmDelete(c echo.Context) error {
	actor := actorOf(c)
	d, err := h.Content.Document(c.Request().Context(), actor, c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.deletable(actor, d); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "delete.html", "Delete "+d.Title, d)
}

// deleteDocument deletes the document at the version the question showed;
// a refusal (changed meanwhile, live, not allowed) goes back to the
// document with the reason.
func (h *handler) deleteDocument(c echo.Context) error {
	ctx, actor, id := c.Request().Context(), actorOf(c), c.Param("id")
	if err := h.Content.DeleteDocument(ctx, actor, id, atoi(c.FormValue("version"))); err != nil {
		msg, ok := h.explain(ctx, actor, id, err)
		if !ok {
			return err
		}
		return h.redirect(c, "/admin/documents/"+id, "error", msg)
	}
	return h.redirect(c, "/admin/documents", "ok", "Document deleted.")
}
