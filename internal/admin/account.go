package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
)

type accountData struct {
	Roles  []authz.Assignment
	Errors map[string]string // by form field; "" for the form as a whole
}

// accountPage shows the signed-in person's account and the form that
// changes their password.
func (h *handler) accountPage(c echo.Context) error {
	return h.showAccount(c, http.StatusOK, nil)
}

func (h *handler) showAccount(c echo.Context, status int, errs map[string]string) error {
	data := accountData{Roles: h.Authz.Assignments(actorOf(c).UserID), Errors: errs}
	return h.render(c, status, "account.html", "Your account", data)
}

// changePassword changes the person's own password. The new one is typed
// twice, so that a typo cannot lock them out. Every session of theirs
// ends, this one too, and this browser is signed in again in the same
// answer.
func (h *handler) changePassword(c echo.Context) error {
	next := c.FormValue("new_password")
	if next != c.FormValue("new_password_again") {
		return h.showAccount(c, http.StatusUnprocessableEntity,
			map[string]string{"new_password_again": "does not match the new password"})
	}
	_, cookie, err := h.Auth.ChangeOwnPassword(c.Request().Context(), actorOf(c), c.FormValue("current_password"), next, c.RealIP(), true)
	if err != nil {
		return h.passwordRefused(c, err)
	}
	c.SetCookie(h.sessionCookie(cookie, int(h.Auth.SessionTTL().Seconds())))
	return h.redirect(c, "/admin/account", "ok", "Password changed.")
}

// passwordRefused shows the form again with the problem next to its field:
// 422 for input to correct, 403 for a wrong current password and 429 once
// the account is throttled. Other errors go to the error page.
func (h *handler) passwordRefused(c echo.Context, err error) error {
	if errs, ok := problemFields(err); ok {
		return h.showAccount(c, http.StatusUnprocessableEntity, errs)
	}
	var ce *cms.Error
	if !asCMS(err, &ce) || (ce.Code != cms.CodeForbidden && ce.Code != cms.CodeTooManyRequests) {
		return err
	}
	errs := map[string]string{}
	for _, f := range ce.Fields {
		errs[f.Field] = f.Message
	}
	if len(errs) == 0 {
		errs[""] = ce.Message
	}
	return h.showAccount(c, server.ProblemFor(err).Status, errs)
}
