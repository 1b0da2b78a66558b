package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/server"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type meResponse struct {
	User      auth.User          `json:"user"`
	CSRFToken string             `json:"csrf_token,omitempty"`
	Roles     []authz.Assignment `json:"roles"`
}

func (h *handler) login(c echo.Context) error {
	var req loginRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	u, sess, cookie, err := h.Auth.Login(c.Request().Context(), req.Email, req.Password, c.RealIP())
	if err != nil {
		return err
	}
	c.SetCookie(h.sessionCookie(cookie, int(h.Auth.SessionTTL().Seconds())))
	return c.JSON(http.StatusOK, meResponse{User: u, CSRFToken: sess.CSRFToken, Roles: h.Authz.Assignments(u.ID)})
}

func (h *handler) logout(c echo.Context) error {
	if cookie, err := c.Cookie(auth.SessionCookie); err == nil {
		if err := h.Auth.Logout(c.Request().Context(), cookie.Value); err != nil {
			return err
		}
	}
	c.SetCookie(h.sessionCookie("", -1))
	return c.NoContent(http.StatusNoContent)
}

func (h *handler) me(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := h.Auth.User(ctx, actorOf(c).UserID)
	if err != nil {
		return err
	}
	resp := meResponse{User: u, Roles: h.Authz.Assignments(u.ID)}
	if sess, ok := sessionFrom(ctx); ok {
		resp.CSRFToken = sess.CSRFToken
	}
	return c.JSON(http.StatusOK, resp)
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword changes the caller's own password and ends all their
// sessions. A caller signed in by cookie gets a fresh session in its
// place, with a new CSRF token, which the client reads from GET /me; a
// caller with a token keeps using the token.
func (h *handler) changePassword(c echo.Context) error {
	var req passwordRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, browser := sessionFrom(ctx)
	_, cookie, err := h.Auth.ChangeOwnPassword(ctx, actorOf(c), req.CurrentPassword, req.NewPassword, c.RealIP(), browser)
	if err != nil {
		return err
	}
	if browser {
		c.SetCookie(h.sessionCookie(cookie, int(h.Auth.SessionTTL().Seconds())))
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handler) sessionCookie(value string, maxAge int) *http.Cookie {
	return server.SessionCookie(value, maxAge, h.SecureCookies)
}
