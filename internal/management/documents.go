package management

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// etag is a document's version as a strong entity tag.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads the version a write is based on from If-Match; a write
// without one is refused with 428 so that nobody overwrites blindly.
func ifMatch(c echo.Context) (int, error) {
	v, ok, err := optionalIfMatch(c)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, cms.Errorf(cms.CodePreconditionNeeded, `send If-Match with the version you edited (its ETag, e.g. "3")`)
	}
	return v, nil
}

func optionalIfMatch(c echo.Context) (int, bool, error) {
	raw := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if raw == "" {
		return 0, false, nil
	}
	// A weak tag says "semantically the same", which is no basis for a
	// write: only the strong tag of one exact version matches.
	if strings.HasPrefix(raw, "W/") {
		return 0, false, cms.Errorf(cms.CodePreconditionFailed, "If-Match %s is a weak entity tag; a write needs the strong one, e.g. \"3\"", raw)
	}
	v, err := strconv.Atoi(strings.Trim(raw, `"`))
	if err != nil || v < 1 || raw != etag(v) {
		return 0, false, cms.Errorf(cms.CodePreconditionFailed, "If-Match %s matches no version of this document", raw)
	}
	return v, true, nil
}

// document writes a document with its ETag.
func document(c echo.Context, status int, d content.Document) error {
	c.Response().Header().Set("ETag", etag(d.Version))
	return c.JSON(status, d)
}

func (h *handler) listDocuments(c echo.Context) error {
	limit := 0
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return cms.Invalid("limit", "must be a positive integer")
		}
		limit = n
	}
	page, err := h.Content.Documents(c.Request().Context(), actorOf(c), content.ListQuery{
		Series: c.QueryParam("series"), Type: c.QueryParam("type"), State: c.QueryParam("state"),
		Owner: c.QueryParam("owner"), Topic: c.QueryParam("topic"), Query: c.QueryParam("q"),
		Assignee: c.QueryParam("assignee"), DueBefore: c.QueryParam("due_before"), Overdue: c.QueryParam("overdue"),
		Cursor: c.QueryParam("cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (h *handler) createDocument(c echo.Context) error {
	var in content.NewDocument
	if err := decode(c, &in); err != nil {
		return err
	}
	d, err := h.Content.CreateDocument(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return document(c, http.StatusCreated, d)
}

func (h *handler) getDocument(c echo.Context) error {
	d, err := h.Content.Document(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return document(c, http.StatusOK, d)
}

func (h *handler) updateDocument(c echo.Context) error {
	var in content.DocumentPatch
	if err := decode(c, &in); err != nil {
		return err
	}
	version, ok, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	if !ok && in.Version == nil {
		_, err := ifMatch(c)
		return err
	}
	if !ok {
		version = *in.Version
	}
	d, err := h.Content.UpdateDocument(c.Request().Context(), actorOf(c), c.Param("id"), version, in)
	if err != nil {
		return err
	}
	return document(c, http.StatusOK, d)
}

// mergeDocument keeps both sides of a conflict: the caller's change to
// the base they started from, merged with what is stored now (409 with
// the fields both sides changed in the same place).
func (h *handler) mergeDocument(c echo.Context) error {
	var in content.MergeRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	d, err := h.Content.MergeDocument(c.Request().Context(), actorOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return document(c, http.StatusOK, d)
}

func (h *handler) deleteDocument(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if err := h.Content.DeleteDocument(c.Request().Context(), actorOf(c), c.Param("id"), version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handler) transitionDocument(c echo.Context) error {
	var in content.TransitionRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	version, ok, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	var based *int
	if ok {
		based = &version
	}
	d, err := h.Content.Transition(c.Request().Context(), actorOf(c), c.Param("id"), in, based)
	if err != nil {
		return err
	}
	return document(c, http.StatusOK, d)
}
