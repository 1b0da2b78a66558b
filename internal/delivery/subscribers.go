package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/server"
)

// The page a confirm or unsubscribe link opens: one template and its
// style, inlined so that the page needs nothing else.
//
//go:embed subscribers.html subscribers.css
var subscriberPage embed.FS

// RegisterSubscribers mounts the mailing lists on g (the /delivery/v1
// group): the sign-up, the one write the delivery API takes, and the
// confirm and unsubscribe links mailed to readers.
//
// A GET of a link changes nothing. Mail scanners (security gateways,
// Outlook Safe Links) fetch every link in a mail: a GET that confirmed
// would put any address typed into the form on a list, and one that
// unsubscribed would drop readers unseen. The GET shows what the link will
// do, with a button that POSTs it back; the POST acts, as does a mail
// client's one-click unsubscribe (RFC 8058), a POST to the link itself.
func RegisterSubscribers(g *echo.Group, n *newsletter.Service) {
	h := newSubscribers(n)
	confirm := linkAction{name: "confirm", done: newsletter.Confirmed, check: n.CheckConfirm, act: n.Confirm}
	unsubscribe := linkAction{name: "unsubscribe", done: newsletter.Unsubscribed, check: n.CheckUnsubscribe, act: n.Unsubscribe}
	g.POST("/subscribers", h.subscribe)
	g.GET("/subscribers/confirm", h.showLink(confirm))
	g.POST("/subscribers/confirm", h.followLink(confirm))
	g.GET("/subscribers/unsubscribe", h.showLink(unsubscribe))
	g.POST("/subscribers/unsubscribe", h.followLink(unsubscribe))
}

type subscribers struct {
	n    *newsletter.Service
	page *template.Template
	css  template.CSS
	csp  string
}

func newSubscribers(n *newsletter.Service) subscribers {
	// The files are embedded: a parse error is a bug, found by any test.
	page := template.Must(template.ParseFS(subscriberPage, "subscribers.html"))
	css, err := subscriberPage.ReadFile("subscribers.css")
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(css)
	// Nothing runs and nothing loads: the one style is allowed by its
	// hash, and the one form may only post back here.
	csp := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	return subscribers{n: n, page: page, css: template.CSS(css), csp: csp}
}

// subscribe always answers 202 with the same body for a well-formed
// request, whether the address is new, pending or already confirmed. The
// client is counted by the address the login throttle counts by (the
// connection's, or X-Forwarded-For's behind a trusted proxy).
//
// The body is JSON, or a plain HTML form (email, series, and the
// honeypot field website, which people leave empty and form-filling
// robots do not). A client that asks for HTML gets a page saying to check
// the inbox, or why the sign-up did not go through; others get JSON.
func (h subscribers) subscribe(c echo.Context) error {
	c.Response().Header().Add("Vary", "Accept")
	page := wantsHTML(c.Request().Header.Get(echo.HeaderAccept))
	req, robot, err := signupRequest(c)
	if err == nil && !robot {
		err = h.n.Subscribe(c.Request().Context(), req, c.RealIP())
	}
	if err != nil {
		if page {
			return h.signupFailed(c, err)
		}
		return err
	}
	if page {
		h.linkHeaders(c)
		return h.renderStatus(c, http.StatusAccepted, linkPage{Action: "signup", Done: true})
	}
	return c.JSON(http.StatusAccepted, map[string]string{
		"status":  newsletter.Pending,
		"message": "If this address is not on the list yet, a confirmation link is on its way.",
	})
}

// honeypot is the sign-up form's field that only robots fill in.
const honeypot = "website"

// signupRequest reads a sign-up from a JSON body or an HTML form. robot
// is true when the form's honeypot is filled: the answer is then the one
// any sign-up gets, and nothing is stored or mailed.
func signupRequest(c echo.Context) (req newsletter.SubscribeRequest, robot bool, err error) {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data" {
		return req, false, server.DecodeJSON(c, &req)
	}
	r := c.Request()
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(64 << 10)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return req, false, he // the body limit's 413
		}
		return req, false, cms.Errorf(cms.CodeInvalid, "malformed form body: %v", err)
	}
	req = newsletter.SubscribeRequest{Email: r.PostFormValue("email"), Series: r.PostFormValue("series")}
	return req, strings.TrimSpace(r.PostFormValue(honeypot)) != "", nil
}

// signupFailed answers a refused sign-up with the page, for a reader: the
// problem's status and, in words, what to change. A server error stays
// the one error handler's.
func (h subscribers) signupFailed(c echo.Context, err error) error {
	p := server.ProblemFor(err)
	if p.Status >= 500 {
		return err
	}
	msg := "The sign-up did not go through: " + p.Detail + ". Go back, correct it and send the form again."
	if p.Status == http.StatusTooManyRequests {
		var ce *cms.Error
		if errors.As(err, &ce) && ce.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(ce.RetryAfter))
		}
		msg = "Too many sign-ups have come from here just now. Please try again in a few minutes."
	}
	h.linkHeaders(c)
	return h.renderStatus(c, p.Status, linkPage{Action: "signup", Failed: msg})
}

// wantsHTML reports whether a client asked for a page: it names text/html
// and does not rank JSON above it (a browser posting a form does).
func wantsHTML(accept string) bool {
	q, named := acceptQuality(accept, "text/html")
	return named && q > 0 && !prefersJSON(accept)
}

// linkAction is what one of the mailed links does.
type linkAction struct {
	name  string // "confirm" or "unsubscribe"
	done  string // the status it leads to
	check func(ctx context.Context, token string) (newsletter.Subscriber, error)
	act   func(ctx context.Context, token string) (newsletter.Subscriber, error)
}

// linkState is the JSON answer to a GET of a link: what a POST of it will
// do (action), to which list (series), and where the address stands now
// (status); once status is the action's outcome, nothing is left to do.
type linkState struct {
	Action string `json:"action"`
	Series string `json:"series"`
	Status string `json:"status"`
}

// subscriptionState is the JSON answer to a POST of a link.
type subscriptionState struct {
	Status string `json:"status"`
	Series string `json:"series"`
}

// linkPage is the HTML answer to either.
type linkPage struct {
	Action string // "signup", "confirm" or "unsubscribe"
	Series string // the series' name
	Token  string // for the form while there is something to do
	Done   bool
	Failed string // why the link cannot be followed, for a reader
	CSS    template.CSS
}

// showLink checks a link's token and tells what a POST of it will do.
func (h subscribers) showLink(a linkAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		h.linkHeaders(c)
		token := c.QueryParam("token")
		wantsJSON := prefersJSON(c.Request().Header.Get(echo.HeaderAccept))
		sub, err := a.check(c.Request().Context(), token)
		if err != nil {
			return h.failed(c, a, err, wantsJSON)
		}
		if wantsJSON {
			return c.JSON(http.StatusOK, linkState{Action: a.name, Series: sub.Series, Status: sub.Status})
		}
		done := sub.Status == a.done
		if done {
			token = ""
		}
		return h.render(c, linkPage{Action: a.name, Series: sub.SeriesName, Token: token, Done: done})
	}
}

// followLink does what the link says, for the page's button or a mail
// client's one-click unsubscribe.
func (h subscribers) followLink(a linkAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		h.linkHeaders(c)
		token, oneClick, err := postedToken(c.Request())
		if err != nil {
			return err
		}
		wantsJSON := oneClick || prefersJSON(c.Request().Header.Get(echo.HeaderAccept))
		sub, err := a.act(c.Request().Context(), token)
		if err != nil {
			return h.failed(c, a, err, wantsJSON)
		}
		if wantsJSON {
			return c.JSON(http.StatusOK, subscriptionState{Status: sub.Status, Series: sub.Series})
		}
		return h.render(c, linkPage{Action: a.name, Series: sub.SeriesName, Done: true})
	}
}

// failed answers a link that cannot be followed. Programs get the problem
// from the one error handler; a reader who clicked a mailed link gets the
// page, saying in words what went wrong, with the problem's status.
func (h subscribers) failed(c echo.Context, a linkAction, err error, wantsJSON bool) error {
	p := server.ProblemFor(err)
	if wantsJSON || p.Status >= 500 {
		return err
	}
	msg := "This link does not work: it may be incomplete, or from an older mail. Sign up again to get a new one."
	if p.Status == http.StatusConflict {
		msg = "This address left the list since the link was sent. Sign up again to get a new link."
	}
	return h.renderStatus(c, p.Status, linkPage{Action: a.name, Failed: msg})
}

// linkHeaders marks every answer of the links: each holds a token or
// records a change, so none is stored, indexed, framed, or named as a
// referrer, and the page runs nothing.
func (h subscribers) linkHeaders(c echo.Context) {
	hdr := c.Response().Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Robots-Tag", "noindex")
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Add("Vary", "Accept")
}

// render executes the page into a buffer first, so that a template error
// is a clean 500 rather than half a page.
func (h subscribers) render(c echo.Context, p linkPage) error {
	return h.renderStatus(c, http.StatusOK, p)
}

func (h subscribers) renderStatus(c echo.Context, status int, p linkPage) error {
	p.CSS = h.css
	var buf bytes.Buffer
	if err := h.page.Execute(&buf, p); err != nil {
		return fmt.Errorf("delivery: subscriber page: %w", err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// postedToken reads a POST's token: the form's hidden field, else the
// link's own query string, where a mail client's one-click POST leaves it
// (its body is List-Unsubscribe=One-Click, RFC 8058).
func postedToken(r *http.Request) (token string, oneClick bool, err error) {
	if err := r.ParseForm(); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return "", false, he // the body limit's 413
		}
		return "", false, cms.Errorf(cms.CodeInvalid, "malformed form body: %v", err)
	}
	return r.Form.Get("token"), r.PostForm.Get("List-Unsubscribe") == "One-Click", nil
}

// prefersJSON reports whether an Accept header ranks application/json
// above text/html (RFC 9110 §12.5.1). A tie goes to the page, which is
// what a person following a link gets, unless JSON is named and HTML is
// only matched by a wildcard (Accept: application/json, */*).
func prefersJSON(accept string) bool {
	jsonQ, jsonNamed := acceptQuality(accept, "application/json")
	htmlQ, htmlNamed := acceptQuality(accept, "text/html")
	return jsonQ > htmlQ || (jsonQ == htmlQ && jsonQ > 0 && jsonNamed && !htmlNamed)
}

// acceptQuality returns the quality an Accept header gives a media type,
// from the most specific range that matches it, and whether a range names
// it exactly. No header accepts everything.
func acceptQuality(accept, mediaType string) (q float64, named bool) {
	if strings.TrimSpace(accept) == "" {
		return 1, false
	}
	major, _, _ := strings.Cut(mediaType, "/")
	best := -1 // how specific the range that set q is: */*, type/*, type/sub
	for _, r := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(r)
		if err != nil {
			continue
		}
		specific := -1
		switch mt {
		case mediaType:
			specific = 2
		case major + "/*":
			specific = 1
		case "*/*":
			specific = 0
		}
		if specific <= best {
			continue
		}
		best, q = specific, 1
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				q = 0
			}
		}
	}
	return q, best == 2
}
