package admin

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

type userRow struct {
	User  auth.User
	Roles []authz.Assignment
	Self  bool
}

type usersData struct {
	Rows   []userRow
	Series []content.Series
	Roles  []string
}

func (h *handler) listUsers(c echo.Context) error {
	ctx := c.Request().Context()
	users, err := h.Auth.Users(ctx)
	if err != nil {
		return err
	}
	series, err := h.Content.AllSeries(ctx)
	if err != nil {
		return err
	}
	data := usersData{Series: series, Roles: authz.RoleNames()}
	for _, u := range users {
		data.Rows = append(data.Rows, userRow{User: u, Roles: h.Authz.Assignments(u.ID), Self: u.ID == actorOf(c).UserID})
	}
	return h.render(c, http.StatusOK, "users.html", "Users and roles", data)
}

// createUser adds an account and, optionally, its first role.
func (h *handler) createUser(c echo.Context) error {
	ctx := c.Request().Context()
	in := auth.NewUser{Email: c.FormValue("email"), Name: c.FormValue("name"), Password: c.FormValue("password")}
	a := authz.Assignment{Role: c.FormValue("role"), Series: c.FormValue("series")}
	if a.Role != "" {
		if err := h.checkAssignment(c, a); err != nil {
			return h.failed(c, "/admin/users", err)
		}
	}
	u, err := h.Auth.CreateUser(ctx, actorOf(c), in)
	if err != nil {
		return h.failed(c, "/admin/users", err)
	}
	if a.Role != "" {
		a.UserID = u.ID
		if err := h.Authz.Assign(ctx, actorOf(c), a); err != nil {
			return err
		}
	}
	return h.redirect(c, "/admin/users", "ok", "Created "+u.Name+" <"+u.Email+">.")
}

// setUserActive deactivates or reactivates an account; deactivating ends
// its sessions.
func (h *handler) setUserActive(c echo.Context) error {
	active := c.FormValue("active") == "true"
	if !active && c.Param("id") == actorOf(c).UserID {
		return h.redirect(c, "/admin/users", "error", "You cannot deactivate your own account.")
	}
	u, err := h.Auth.UpdateUser(c.Request().Context(), actorOf(c), c.Param("id"), auth.UserPatch{Active: &active})
	if err != nil {
		return err
	}
	verb := "Deactivated "
	if active {
		verb = "Reactivated "
	}
	return h.redirect(c, "/admin/users", "ok", verb+u.Name+".")
}

// checkAssignment checks a role, its user and its series ("*" or one that
// exists), as the API does.
func (h *handler) checkAssignment(c echo.Context, a authz.Assignment) error {
	if err := authz.ValidateRole(a.Role); err != nil {
		return err
	}
	if a.Series == "" {
		return cms.Invalid("series", `choose a series, or "all series"`)
	}
	if a.Series != authz.AllSeries {
		if _, err := h.Content.Series(c.Request().Context(), a.Series); err != nil {
			return cms.Invalid("series", "no such series")
		}
	}
	return nil
}

func (h *handler) assignRole(c echo.Context) error {
	a := authz.Assignment{UserID: c.FormValue("user_id"), Role: c.FormValue("role"), Series: c.FormValue("series")}
	if err := h.checkAssignment(c, a); err != nil {
		return h.failed(c, "/admin/users", err)
	}
	if _, err := h.Auth.User(c.Request().Context(), a.UserID); err != nil {
		return err
	}
	if err := h.Authz.Assign(c.Request().Context(), actorOf(c), a); err != nil {
		return h.failed(c, "/admin/users", err)
	}
	return h.redirect(c, "/admin/users", "ok", "Role "+a.Role+" on "+seriesLabel(a.Series)+" assigned.")
}

func (h *handler) revokeRole(c echo.Context) error {
	a := authz.Assignment{UserID: c.FormValue("user_id"), Role: c.FormValue("role"), Series: c.FormValue("series")}
	if err := h.Authz.Revoke(c.Request().Context(), actorOf(c), a); err != nil {
		return h.failed(c, "/admin/users", err)
	}
	return h.redirect(c, "/admin/users", "ok", "Role "+a.Role+" on "+seriesLabel(a.Series)+" revoked.")
}

func seriesLabel(s string) string {
	if s == authz.AllSeries {
		return "all series"
	}
	return s
}

// failed shows an error the person can fix on the page they came from;
// other errors go to the error page.
func (h *handler) failed(c echo.Context, back string, err error) error {
	var ce *cms.Error
	if !asCMS(err, &ce) || ce.Code == cms.CodeInternal || ce.Code == cms.CodeNotFound {
		return err
	}
	msg := ce.Message
	if len(ce.Fields) > 1 {
		var parts []string
		for _, f := range ce.Fields {
			parts = append(parts, f.Field+": "+f.Message)
		}
		msg = strings.Join(parts, "; ")
	}
	return h.redirect(c, back, "error", msg)
}
