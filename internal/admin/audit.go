package admin

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/audit"
	"github.com/masthead-cms/masthead/internal/cms"
)

type auditData struct {
	Query  audit.Query
	Rows   []auditRow
	Next   string // the next page's address, "" on the last
	Export string // the NDJSON export of the same filters
	Error  string
}

// auditRow is an event as the page shows it.
type auditRow struct {
	Ev        cms.AuditEvent
	ActorName string
	Detail    string
}

// auditPage lists the audit events the person may read, with the filters
// of the API (actor, object, action, from, to) as a form.
func (h *handler) auditPage(c echo.Context) error {
	ctx := c.Request().Context()
	q := audit.Query{Actor: c.QueryParam("actor"), Object: c.QueryParam("object"), Action: c.QueryParam("action"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), Cursor: c.QueryParam("cursor")}
	data := auditData{Query: q}
	page, err := h.Audit.Events(ctx, actorOf(c), q)
	var ce *cms.Error
	if asCMS(err, &ce) && ce.Code == cms.CodeInvalid {
		data.Error = ce.Message
		return h.render(c, http.StatusBadRequest, "audit.html", "Audit log", data)
	} else if err != nil {
		return err
	}
	cat, err := h.catalog(ctx)
	if err != nil {
		return err
	}
	for _, ev := range page.Data {
		detail, _ := json.Marshal(ev.Detail)
		data.Rows = append(data.Rows, auditRow{Ev: ev, ActorName: cat.name(ev.ActorID), Detail: string(detail)})
	}
	filters := url.Values{}
	for k, v := range map[string]string{"actor": q.Actor, "object": q.Object, "action": q.Action, "from": q.From, "to": q.To} {
		if v != "" {
			filters.Set(k, v)
		}
	}
	data.Export = "/api/v1/audit/export?" + filters.Encode()
	if page.NextCursor != "" {
		filters.Set("cursor", page.NextCursor)
		data.Next = "/admin/audit?" + filters.Encode()
	}
	return h.render(c, http.StatusOK, "audit.html", "Audit log", data)
}
