package management

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/audit"
	"github.com/masthead-cms/masthead/internal/cms"
)

// auditQuery reads the audit filters of a request.
func auditQuery(c echo.Context) (audit.Query, error) {
	q := audit.Query{Actor: c.QueryParam("actor"), Object: c.QueryParam("object"), Action: c.QueryParam("action"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), Cursor: c.QueryParam("cursor")}
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return q, cms.Invalid("limit", "must be a positive integer")
		}
		q.Limit = n
	}
	return q, nil
}

// listAudit pages the audit events the caller may read, newest first.
func (h *handler) listAudit(c echo.Context) error {
	q, err := auditQuery(c)
	if err != nil {
		return err
	}
	page, err := h.Audit.Events(c.Request().Context(), actorOf(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// exportAudit streams every event of the filters as NDJSON, one event a
// line. A refusal (403, 400) comes before the first line.
func (h *handler) exportAudit(c echo.Context) error {
	q, err := auditQuery(c)
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	probe := q
	probe.Limit = 1
	if _, err := h.Audit.Events(ctx, actor, probe); err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "application/x-ndjson")
	res.Header().Set("Content-Disposition", `attachment; filename="audit.ndjson"`)
	res.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(res)
	return h.Audit.Each(ctx, actor, q, func(ev cms.AuditEvent) error { return enc.Encode(ev) })
}
