package management

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
)

// createdToken is the one response that shows a token's secret.
type createdToken struct {
	auth.Token
	Secret string `json:"token"`
}

func (h *handler) listTokens(c echo.Context) error {
	tokens, err := h.Auth.Tokens(c.Request().Context(), actorOf(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": tokens})
}

// createToken makes a token for the caller. A caller with a token gets
// one that reaches no further than that token (auth.Service.CreateToken).
func (h *handler) createToken(c echo.Context) error {
	var req auth.NewToken
	if err := decode(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var via *auth.Token
	if t, ok := tokenFrom(ctx); ok {
		via = &t
	}
	t, secret, err := h.Auth.CreateToken(ctx, actorOf(c).UserID, via, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdToken{Token: t, Secret: secret})
}

func (h *handler) deleteToken(c echo.Context) error {
	if err := h.Auth.DeleteToken(c.Request().Context(), actorOf(c).UserID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
