package admin

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

type newsletterData struct {
	Series   content.Series
	Settings newsletter.Settings
	Errors   map[string]string // by form field; "" for the form as a whole
}

// newsletterObj is what a series' publishers and admins manage: its
// newsletter, as the editions ask the enforcer about it.
func newsletterObj(s content.Series) authz.Object {
	return authz.Object{Kind: "newsletter", Series: s.Path()}
}

// newsletterSettings shows a series' newsletter settings; the editions
// refuse whoever may not manage that series' newsletter.
func (h *handler) newsletterSettings(c echo.Context) error {
	ctx := c.Request().Context()
	set, err := h.Editions.Settings(ctx, actorOf(c), c.Param("slug"))
	if err != nil {
		return err
	}
	return h.showNewsletter(c, http.StatusOK, set, nil)
}

func (h *handler) showNewsletter(c echo.Context, status int, set newsletter.Settings, errs map[string]string) error {
	sr, err := h.Content.Series(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	data := newsletterData{Series: sr, Settings: set, Errors: errs}
	return h.render(c, status, "newsletter.html", "Newsletter: "+sr.Name, data)
}

// saveNewsletterSettings replaces the settings with the form's; a field
// the editions refuse is shown next to it, with what was typed, and
// nothing is saved.
func (h *handler) saveNewsletterSettings(c echo.Context) error {
	in := newsletterForm(c)
	_, err := h.Editions.SaveSettings(c.Request().Context(), actorOf(c), c.Param("slug"), in)
	if errs, ok := problemFields(err); ok {
		return h.showNewsletter(c, http.StatusUnprocessableEntity, in, errs)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, "/admin/series/"+c.Param("slug")+"/newsletter", "ok", "Saved the newsletter settings.")
}

// newsletterForm reads the settings form; an unticked box is absent.
func newsletterForm(c echo.Context) newsletter.Settings {
	on := func(k string) bool { return c.FormValue(k) == "on" }
	return newsletter.Settings{
		Enabled: on("enabled"), SendOnPublish: on("send_on_publish"), IncludeChildren: on("include_children"),
		FromName: strings.TrimSpace(c.FormValue("from_name")), FromAddress: strings.TrimSpace(c.FormValue("from_address")),
		ReplyTo: strings.TrimSpace(c.FormValue("reply_to")), Footer: strings.ReplaceAll(c.FormValue("footer"), "\r\n", "\n"),
	}
}
