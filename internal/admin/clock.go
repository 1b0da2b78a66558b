package admin

import (
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// zoneCookie carries the browser's IANA time zone (Intl's), which the
// page's script sets on every page; without it the newsroom's own zone
// (MASTHEAD_TIMEZONE) is used. Every time the UI prints is in that one
// zone, with its name, so that a screen never shows two clocks.
const zoneCookie = "masthead_tz"

// clock is how one person's pages print times: their zone, and whether
// their locale reads a 12-hour clock.
type clock struct {
	loc    *time.Location
	hour12 bool
}

// clockOf is the request's clock: the zone the browser said, if it is a
// real IANA name, else fallback; the hour cycle from Accept-Language.
func clockOf(c echo.Context, fallback *time.Location) clock {
	k := clock{loc: fallback, hour12: hour12(c.Request().Header.Get("Accept-Language"))}
	if k.loc == nil {
		k.loc = time.UTC
	}
	if ck, err := c.Cookie(zoneCookie); err == nil {
		name, _ := url.QueryUnescape(ck.Value)
		if loc, ok := zoneNamed(name); ok {
			k.loc = loc
		}
	}
	return k
}

// zoneNamed loads an IANA zone name as a browser sends it; "Local", ""
// and odd strings are not zones a person is in.
func zoneNamed(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || len(name) > 64 || strings.ContainsAny(name, " ;,\\") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// twelveHourLocales are the locales (language, or language-REGION) whose
// clock is read in 12 hours; the rest read 24. English without a region
// follows the United States, as browsers do.
var twelveHourLocales = map[string]bool{
	"en": true, "en-us": true, "en-ca": true, "en-au": true, "en-nz": true, "en-in": true, "en-ph": true,
	"en-pk": true, "hi": true, "ko": true, "ar": true, "bn": true, "ur": true, "fil": true,
}

// hour12 reads the first language of an Accept-Language header.
func hour12(header string) bool {
	first, _, _ := strings.Cut(header, ",")
	first, _, _ = strings.Cut(first, ";")
	tag := strings.ToLower(strings.TrimSpace(first))
	if tag == "" || tag == "*" {
		return false
	}
	if v, ok := twelveHourLocales[tag]; ok {
		return v
	}
	lang, _, _ := strings.Cut(tag, "-")
	// en-GB, en-IE and other English locales with a region read 24 hours.
	return lang != "en" && twelveHourLocales[lang]
}

// format prints t as "14 Apr 2021, 09:30 KST" (or "9:30 AM" on a 12-hour
// clock) in the person's zone.
func (k clock) format(t time.Time) string {
	layout := "2 Jan 2006, 15:04 MST"
	if k.hour12 {
		layout = "2 Jan 2006, 3:04 PM MST"
	}
	return t.In(k.loc).Format(layout)
}

// formatSeconds is format with seconds, for lists where a minute holds
// several entries (revisions).
func (k clock) formatSeconds(t time.Time) string {
	layout := "2 Jan 2006, 15:04:05 MST"
	if k.hour12 {
		layout = "2 Jan 2006, 3:04:05 PM MST"
	}
	return t.In(k.loc).Format(layout)
}

// zone is the IANA name of the person's zone, for the schedule fields.
func (k clock) zone() string { return k.loc.String() }

// clock is the person's clock for this request.
func (h *handler) clock(c echo.Context) clock { return clockOf(c, h.TimeZone) }

// newsroomClock is the newsroom's zone, on a 24-hour clock, for what is
// rendered without a request.
func (h *handler) newsroomClock() clock {
	if h.TimeZone == nil {
		return clock{loc: time.UTC}
	}
	return clock{loc: h.TimeZone}
}

// clockFuncs are the template functions that print times, bound to one
// person's clock.
func (k clock) funcs() map[string]any {
	return map[string]any{"when": k.format, "whenSeconds": k.formatSeconds, "zoneName": k.zone}
}
