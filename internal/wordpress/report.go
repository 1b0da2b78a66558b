package wordpress

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Report is what an import read, wrote and could not carry over.
type Report struct {
	Site      string `json:"site"`
	Source    string `json:"source"` // the key of this site's objects
	DryRun    bool   `json:"dry_run"`
	Items     int    `json:"items"` // items read
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Media     int    `json:"media"` // assets imported (new or changed)
	// MediaUnchanged are assets an earlier run imported, left as they were.
	MediaUnchanged int `json:"media_unchanged"`
	Authors        int `json:"authors"`
	Terms          int `json:"terms"`
	Series         int `json:"series"` // series created
	Comments       int `json:"comments"`
	// ByState counts the documents written or found unchanged, by state.
	ByState map[string]int `json:"by_state"`
	Skipped []Note         `json:"skipped"`
	Altered []Note         `json:"altered"`
	// HeroesWithoutLicence are imported documents whose hero has no
	// licence yet: the publish gates ask for one before they go live again.
	HeroesWithoutLicence []Note `json:"heroes_without_licence"`
}

// Note is one item and what happened to it.
type Note struct {
	Item   string `json:"item"` // the WordPress post id, or a login
	Title  string `json:"title,omitempty"`
	Reason string `json:"reason"`
}

func (r *Report) skip(it *Item, reason string) {
	r.Skipped = append(r.Skipped, Note{Item: it.ID, Title: it.Title, Reason: reason})
}

func (r *Report) alter(it *Item, reason string) {
	if reason != "" {
		r.Altered = append(r.Altered, Note{Item: it.ID, Title: it.Title, Reason: reason})
	}
}

// Write prints the report for a person.
func (r *Report) Write(w io.Writer) {
	verb := "imported"
	if r.DryRun {
		verb = "would import (dry run: nothing was written)"
	}
	fmt.Fprintf(w, "%s %s\n", verb, r.Site)
	fmt.Fprintf(w, "  items read:     %d\n", r.Items)
	fmt.Fprintf(w, "  documents:      %d created, %d updated, %d unchanged\n", r.Created, r.Updated, r.Unchanged)
	fmt.Fprintf(w, "  by state:       %s\n", counts(r.ByState))
	fmt.Fprintf(w, "  media:          %d imported, %d unchanged\n", r.Media, r.MediaUnchanged)
	fmt.Fprintf(w, "  authors:        %d\n", r.Authors)
	fmt.Fprintf(w, "  terms:          %d\n", r.Terms)
	fmt.Fprintf(w, "  series created: %d\n", r.Series)
	fmt.Fprintf(w, "  comments:       %d (counted, not imported)\n", r.Comments)
	if r.Created == 0 && r.Updated == 0 && r.Media == 0 {
		fmt.Fprintln(w, "  nothing changed since the last run")
	}
	notes(w, "skipped", r.Skipped)
	notes(w, "altered", r.Altered)
	notes(w, "heroes that need a licence before they can be published again", r.HeroesWithoutLicence)
}

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func notes(w io.Writer, title string, list []Note) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(w, "%s (%d):\n", title, len(list))
	for _, n := range list {
		if n.Title != "" {
			fmt.Fprintf(w, "  - %s %q: %s\n", n.Item, n.Title, n.Reason)
		} else {
			fmt.Fprintf(w, "  - %s: %s\n", n.Item, n.Reason)
		}
	}
}
