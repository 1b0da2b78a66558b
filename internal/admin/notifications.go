package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/notify"
)

// noticeLabels say each kind of notification on the page and in the form.
var noticeLabels = map[notify.Kind]string{
	notify.Submitted:        "Submitted for your review",
	notify.ChangesRequested: "Changes requested",
	notify.Approved:         "Approved",
	notify.Published:        "Published",
	notify.Scheduled:        "Scheduled",
	notify.Mentioned:        "Mentioned you",
	notify.Assigned:         "Assigned to you",
	notify.TakenOver:        "Took over your editing",
	notify.Digest:           "Daily digest of what is due and overdue",
}

type notificationsData struct {
	Page  notify.Page
	Kinds []kindPref
}

// kindPref is one line of the preferences form.
type kindPref struct {
	Kind  notify.Kind
	Label string
	Mail  bool
}

// unread is the bell's count for the signed-in person; -1 hides the bell.
func (h *handler) unread(c echo.Context) int {
	if h.Notify == nil {
		return -1
	}
	n, err := h.Notify.Unread(c.Request().Context(), actorOf(c))
	if err != nil {
		return -1
	}
	return n
}

// notificationsPage lists the person's notifications, newest first, and
// their mail settings.
func (h *handler) notificationsPage(c echo.Context) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	p, err := h.Notify.List(ctx, actor, c.QueryParam("unread") == "true", c.QueryParam("cursor"), 50)
	if err != nil {
		return err
	}
	prefs, err := h.Notify.Prefs(ctx, actor)
	if err != nil {
		return err
	}
	data := notificationsData{Page: p}
	for _, k := range notify.Kinds {
		data.Kinds = append(data.Kinds, kindPref{Kind: k, Label: noticeLabels[k], Mail: prefs.Mail[k]})
	}
	return h.render(c, http.StatusOK, "notifications.html", "Notifications", data)
}

// bell answers the bell alone, for the page to refresh its count.
func (h *handler) bell(c echo.Context) error {
	buf, err := h.execute(h.clock(c), "notifications.html", "bell", h.unread(c))
	if err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf)
}

// readNotifications marks the ones named read (all, without ids) and
// goes back to the list.
func (h *handler) readNotifications(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	ids := form["id"]
	req := notify.ReadRequest{IDs: ids, All: len(ids) == 0}
	if err := h.Notify.MarkRead(c.Request().Context(), actorOf(c), req); err != nil {
		return err
	}
	return h.redirect(c, "/admin/notifications", "", "")
}

// saveNotificationPrefs sets mail on for the kinds ticked, off for the rest.
func (h *handler) saveNotificationPrefs(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	p := notify.Prefs{Mail: map[notify.Kind]bool{}}
	for _, k := range notify.Kinds {
		p.Mail[k] = form.Get("mail_"+string(k)) == "on"
	}
	if _, err := h.Notify.SetPrefs(c.Request().Context(), actorOf(c), p); err != nil {
		return err
	}
	return h.redirect(c, "/admin/notifications", "ok", "Notification settings saved.")
}
