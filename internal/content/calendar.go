package content

import (
	"context"
	"sort"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Kinds of calendar entries. Releases are another package's (which imports
// this one): they come to Calendar as extra EntryRelease entries.
const (
	EntryScheduled = "scheduled" // a scheduled publish
	EntryEmbargo   = "embargo"   // an embargo ends
	EntryExpiry    = "expiry"    // a live document is taken down
	EntryRelease   = "release"   // a scheduled release goes live
)

// MaxCalendarDays bounds a calendar request: a year and a day covers any
// planning view, and keeps the query small.
const MaxCalendarDays = 366

// maxCalendarDocuments caps the documents one calendar reads.
const maxCalendarDocuments = 1000

// CalendarEntry is one planned moment.
type CalendarEntry struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// ID is the document's (or the release's) id.
	ID     string         `json:"id"`
	Title  string         `json:"title"`
	Series string         `json:"series,omitempty"`
	State  workflow.State `json:"state,omitempty"`
}

// CalendarDay is one UTC day's entries, in time order.
type CalendarDay struct {
	Date    string          `json:"date"` // YYYY-MM-DD
	Entries []CalendarEntry `json:"entries"`
}

// Calendar is the planned moments of [From, To), by day; days without
// entries are left out.
type Calendar struct {
	From time.Time     `json:"from"`
	To   time.Time     `json:"to"`
	Days []CalendarDay `json:"days"`
}

// CalendarRange parses a calendar's from and to: RFC 3339 times or
// dates (a date as to includes that whole day, UTC). Empty from is today,
// empty to is 31 days after from.
func (s *Service) CalendarRange(rawFrom, rawTo string) (time.Time, time.Time, error) {
	var p cms.Problems
	from, ok := parseWhen(rawFrom, false)
	if rawFrom == "" {
		from, ok = s.now().UTC().Truncate(24*time.Hour), true
	}
	if !ok {
		p.Add("from", "must be an RFC 3339 time or a date (YYYY-MM-DD)")
	}
	to, okTo := parseWhen(rawTo, true)
	if rawTo == "" {
		to, okTo = from.AddDate(0, 0, 31), true
	}
	if !okTo {
		p.Add("to", "must be an RFC 3339 time or a date (YYYY-MM-DD)")
	}
	if err := p.Err(); err != nil {
		return from, to, err
	}
	if !to.After(from) {
		return from, to, cms.Invalid("to", "must be after from")
	}
	if to.Sub(from) > MaxCalendarDays*24*time.Hour {
		return from, to, cms.Invalid("to", "the range must be at most 366 days")
	}
	return from, to, nil
}

// parseWhen reads an RFC 3339 time or a date; a date read as the end of
// a range is the start of the next day.
func parseWhen(raw string, end bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
		return t.UTC(), true
	}
	d, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, true
}

// Calendar lists the scheduled publishes, embargo ends and expiries in
// [from, to) of the documents the actor may see, by UTC day, with the
// extra entries in that range (scheduled releases).
func (s *Service) Calendar(ctx context.Context, actor cms.Actor, from, to time.Time, extra ...CalendarEntry) (Calendar, error) {
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return Calendar{}, err
	}
	f := DocumentFilter{Visible: s.visibility(actor, all), Limit: maxCalendarDocuments}
	docs, err := s.store.FindPlanned(ctx, f, from, to)
	if err != nil {
		return Calendar{}, err
	}
	var entries []CalendarEntry
	for _, e := range extra {
		if !e.At.Before(from) && e.At.Before(to) {
			entries = append(entries, e)
		}
	}
	for _, d := range docs {
		entries = append(entries, plannedMoments(d, from, to)...)
	}
	return byDay(from, to, entries), nil
}

// plannedMoments are d's entries that fall in [from, to).
func plannedMoments(d Document, from, to time.Time) []CalendarEntry {
	var out []CalendarEntry
	add := func(kind string, at *time.Time) {
		if at != nil && !at.Before(from) && at.Before(to) {
			out = append(out, CalendarEntry{Kind: kind, At: at.UTC(), ID: d.ID, Title: d.Title, Series: d.Series, State: d.State})
		}
	}
	if d.State == workflow.Scheduled {
		add(EntryScheduled, d.ScheduledFor)
	}
	add(EntryEmbargo, d.EmbargoUntil)
	add(EntryExpiry, d.ExpiresAt)
	return out
}

// byDay groups entries by UTC day, in time order.
func byDay(from, to time.Time, entries []CalendarEntry) Calendar {
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].At.Equal(entries[j].At) {
			return entries[i].At.Before(entries[j].At)
		}
		return entries[i].Kind < entries[j].Kind
	})
	c := Calendar{From: from, To: to, Days: []CalendarDay{}}
	for _, e := range entries {
		date := e.At.Format(time.DateOnly)
		if n := len(c.Days); n == 0 || c.Days[n-1].Date != date {
			c.Days = append(c.Days, CalendarDay{Date: date})
		}
		c.Days[len(c.Days)-1].Entries = append(c.Days[len(c.Days)-1].Entries, e)
	}
	return c
}
