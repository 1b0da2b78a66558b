package admin

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// searchHit is a staff search result with its snippet as HTML: the search
// package escapes the text and adds only <mark> elements.
type searchHit struct {
	search.StaffHit
	SnippetHTML template.HTML
}

type searchData struct {
	Query, State string
	States       []workflow.State
	Searched     bool
	Total        int
	Hits         []searchHit
	Next         string
	Error        string
}

// staffSearch searches the head revisions of every document the person
// may see; the search service asks content (and so the enforcer) what
// that is.
func (h *handler) staffSearch(c echo.Context) error {
	data := searchData{Query: strings.TrimSpace(c.QueryParam("q")), State: c.QueryParam("state"), States: workflow.States}
	if data.Query != "" {
		res, err := h.Search.StaffSearch(c.Request().Context(), actorOf(c),
			search.Params{Q: data.Query, State: data.State, Cursor: c.QueryParam("cursor"), Limit: "20"})
		if fields, ok := problemFields(err); ok {
			for _, msg := range fields {
				data.Error = msg
			}
		} else if err != nil {
			return err
		}
		data.Searched, data.Total = err == nil, res.Total
		for _, hit := range res.Data {
			data.Hits = append(data.Hits, searchHit{StaffHit: hit, SnippetHTML: template.HTML(hit.Snippet)}) // escaped by search.Highlight
		}
		if res.NextCursor != nil {
			data.Next = *res.NextCursor
		}
	}
	return h.render(c, http.StatusOK, "search.html", "Search", data)
}
