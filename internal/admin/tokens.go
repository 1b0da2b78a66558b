package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/webhook"
)

type tokensData struct {
	Tokens []auth.Token
	Secret string // shown once, right after creation
	Name   string
}

func (h *handler) listTokens(c echo.Context) error {
	return h.showTokens(c, tokensData{})
}

func (h *handler) showTokens(c echo.Context, data tokensData) error {
	tokens, err := h.Auth.Tokens(c.Request().Context(), actorOf(c).UserID)
	if err != nil {
		return err
	}
	data.Tokens = tokens
	return h.render(c, http.StatusOK, "tokens.html", "API tokens", data)
}

// createToken makes a token for the signed-in person and shows its secret
// on this one response, never again.
func (h *handler) createToken(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	req := map[string]any{"name": form.Get("name"), "scopes": form["scopes"]}
	if raw := strings.TrimSpace(form.Get("expires")); raw != "" {
		t, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return h.redirect(c, "/admin/tokens", "error", "The expiry must be a date.")
		}
		req["expires_at"] = t.UTC().Format(time.RFC3339)
	}
	// The token input is decoded as the API decodes it, so the UI takes
	// the same expiry format whatever type carries it.
	var in auth.NewToken
	raw, _ := json.Marshal(req)
	if err := json.Unmarshal(raw, &in); err != nil {
		return h.redirect(c, "/admin/tokens", "error", "The token request is not valid.")
	}
	t, secret, err := h.Auth.CreateToken(c.Request().Context(), actorOf(c).UserID, nil, in)
	if err != nil {
		return h.failed(c, "/admin/tokens", err)
	}
	return h.showTokens(c, tokensData{Secret: secret, Name: t.Name})
}

func (h *handler) revokeToken(c echo.Context) error {
	if err := h.Auth.DeleteToken(c.Request().Context(), actorOf(c).UserID, c.Param("id")); err != nil {
		return err
	}
	return h.redirect(c, "/admin/tokens", "ok", "Token revoked.")
}

type webhooksData struct {
	Hooks  []webhook.Webhook
	Events []string
	Secret string // shown once, right after creation
	URL    string
}

var webhookEvents = []string{webhook.EventPublished, webhook.EventUnpublished, webhook.EventUpdatedLive, webhook.EventReleasePublished}

func (h *handler) listWebhooks(c echo.Context) error {
	return h.showWebhooks(c, webhooksData{})
}

func (h *handler) showWebhooks(c echo.Context, data webhooksData) error {
	hooks, err := h.Webhooks.List(c.Request().Context())
	if err != nil {
		return err
	}
	data.Hooks, data.Events = hooks, webhookEvents
	return h.render(c, http.StatusOK, "webhooks.html", "Webhooks", data)
}

func (h *handler) createWebhook(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	in := webhook.NewWebhook{URL: strings.TrimSpace(form.Get("url")), Events: form["events"], Secret: form.Get("secret")}
	w, secret, err := h.Webhooks.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return h.failed(c, "/admin/webhooks", err)
	}
	return h.showWebhooks(c, webhooksData{Secret: secret, URL: w.URL})
}

type webhookData struct {
	Hook     webhook.Webhook
	Attempts []webhook.Attempt
}

// showWebhook is a webhook with its delivery log.
func (h *handler) showWebhook(c echo.Context) error {
	ctx := c.Request().Context()
	hooks, err := h.Webhooks.List(ctx)
	if err != nil {
		return err
	}
	attempts, err := h.Webhooks.Attempts(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	data := webhookData{Attempts: attempts}
	for _, w := range hooks {
		if w.ID == c.Param("id") {
			data.Hook = w
		}
	}
	return h.render(c, http.StatusOK, "webhook.html", "Webhook "+data.Hook.URL, data)
}

func (h *handler) deleteWebhook(c echo.Context) error {
	if err := h.Webhooks.Delete(c.Request().Context(), actorOf(c), c.Param("id")); err != nil {
		return err
	}
	return h.redirect(c, "/admin/webhooks", "ok", "Webhook deleted.")
}
