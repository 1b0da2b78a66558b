package server

import (
	"net/http"

	"github.com/masthead-cms/masthead/internal/auth"
)

// SessionCookie is the browser session cookie the UI and the API both
// set: HttpOnly (scripts never see it), SameSite=Lax (other sites' forms
// do not carry it) and Secure behind https. A negative maxAge deletes it.
func SessionCookie(value string, maxAge int, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     auth.SessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
}
