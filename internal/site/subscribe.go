package site

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// honeypot is the form field people never see and bots fill in.
const honeypot = "website"

// subscribedView is subscribed.html's .Data.
type subscribedView struct {
	Series seriesLink
}

// subscribePost takes the mailing-list form without any script: it
// starts the same double opt-in as the delivery API's sign-up, under the
// same rate limits, and answers with a page saying to check the inbox.
// A filled-in honeypot gets the same page and signs nobody up.
func (s *Site) subscribePost(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	ctx := c.Request().Context()
	slug := strings.TrimSpace(c.FormValue("series"))
	sr, err := s.store.FindSeries(ctx, slug)
	if err != nil {
		return cms.Invalid("series", "no such mailing list")
	}
	if c.FormValue(honeypot) == "" {
		req := newsletter.SubscribeRequest{Email: strings.TrimSpace(c.FormValue("email")), Series: sr.Slug}
		if err := s.subscribe(ctx, req, c.RealIP()); err != nil {
			return err
		}
	} else {
		s.cfg.Logger.Info("sign-up honeypot filled in; nobody signed up", "remote_ip", c.RealIP())
	}
	p := s.newPage(ctx, "Check your inbox", "/subscribe", subscribedView{Series: s.seriesLink(sr.Slug, sr.Name)})
	p.Robots = "noindex"
	body, err := s.theme.render("subscribed.html", p)
	if err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, body)
}
