package wordpress

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// Limits of Masthead's content model the mapping keeps to.
const (
	maxTitle     = 300
	maxSlug      = 120
	maxTopics    = 20
	maxTopic     = 50
	maxSummary   = 1000
	maxBody      = 200_000
	excerptWords = 55 // WordPress's own automatic excerpt
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// standing maps a WordPress status to a workflow state, and says why
// when the item is altered or skipped on the way.
func standing(it *Item, now time.Time) (state workflow.State, note string, skip bool) {
	published := parseDate(it.DateGMT, it.Date)
	switch it.Status {
	case "publish":
		state = workflow.Published
	case "future":
		if published == nil || !published.After(now) {
			return workflow.Published, "scheduled for a time that has passed: published at it", false
		}
		state = workflow.Scheduled
	case "draft", "":
		state = workflow.Draft
	case "auto-draft", "inherit":
		return "", fmt.Sprintf("status %q: WordPress's own leftover", it.Status), true
	case "pending":
		state = workflow.InReview
	case "private":
		return workflow.Draft, "private: imported as a draft", false
	case "trash":
		return "", "in the trash", true
	default:
		return workflow.Draft, fmt.Sprintf("status %q: imported as a draft", it.Status), false
	}
	if it.Password != "" && state != workflow.Draft {
		return workflow.Draft, "password-protected: imported as a draft", false
	}
	return state, "", false
}

// parseDate reads WordPress's "2006-01-02 15:04:05" in UTC; the zero
// date of a draft is none. local is the fallback when GMT is missing.
func parseDate(gmt, local string) *time.Time {
	for _, s := range []string{gmt, local} {
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "0000-00-00") {
			continue
		}
		if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
			return &t
		}
	}
	return nil
}

// slugFor is the item's slug as Masthead accepts it, and a note when it
// had to change.
func slugFor(it *Item) (string, string) {
	raw := strings.TrimSpace(it.Name)
	if dec, err := url.PathUnescape(raw); err == nil {
		raw = dec
	}
	if slugRE.MatchString(raw) && len(raw) <= maxSlug {
		return raw, ""
	}
	// Masthead's slugs are ASCII: of a slug in another script only its
	// digits would be left, so the title's may say more.
	s := content.Slugify(raw)
	if t := content.Slugify(it.Title); len(t) > len(s) {
		s = t
	}
	if s == "" {
		s = "post-" + content.Slugify(it.ID)
	}
	if it.Name == "" {
		return s, ""
	}
	return s, fmt.Sprintf("slug %q became %q", it.Name, s)
}

// titleFor keeps the title as written, within Masthead's length.
func titleFor(it *Item) (string, string) {
	t := strings.TrimSpace(it.Title)
	if t == "" {
		return "Untitled", "no title: titled \"Untitled\""
	}
	if utf8.RuneCountInString(t) > maxTitle {
		return string([]rune(t)[:maxTitle]), fmt.Sprintf("title cut to %d characters", maxTitle)
	}
	return t, ""
}

// plainText is the text of some HTML, its spaces collapsed.
func plainText(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return markdownText(Convert(s, nil).Markdown)
}

// markdownText is the text of the Markdown a conversion made.
func markdownText(md string) string {
	md = imageMD.ReplaceAllString(md, "")
	md = linkMD.ReplaceAllString(md, "$1")
	md = strings.NewReplacer(`\`, "", "*", "", "#", "", "`", "", ">", "").Replace(md)
	md = strings.ReplaceAll(md, "&lt;", "<")
	md = strings.ReplaceAll(md, "&gt;", ">")
	return strings.Join(strings.Fields(md), " ")
}

var (
	// escapedShortcodeRE is a shortcode as Convert writes it: \[name …\].
	escapedShortcodeRE = regexp.MustCompile(`\\\[/?[a-zA-Z][a-zA-Z0-9_-]*[^\]]*?\\\]`)
	imageMD            = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	linkMD             = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// summaryFor is the excerpt, or WordPress's automatic one (the first 55
// words of the body, whose Markdown is body), as plain text.
func summaryFor(it *Item, body string) string {
	s := plainText(it.Excerpt())
	if s == "" {
		words := strings.Fields(markdownText(escapedShortcodeRE.ReplaceAllString(body, "")))
		if len(words) > excerptWords {
			words = append(words[:excerptWords], "…")
		}
		s = strings.Join(words, " ")
	}
	if utf8.RuneCountInString(s) > maxSummary {
		s = string([]rune(s)[:maxSummary-1]) + "…"
	}
	return s
}

// topicsFor are the item's categories (with their ancestors) and tags,
// as Masthead's topics, and a note when some did not fit.
func topicsFor(it *Item, cats map[string]*Term, skipCategory func(slug string) bool) ([]string, string) {
	var out []string
	var notes []string
	add := func(name string) {
		name = strings.ToLower(strings.Join(strings.Fields(name), " "))
		if name == "" || containsFold(out, name) {
			return
		}
		if utf8.RuneCountInString(name) > maxTopic {
			name = string([]rune(name)[:maxTopic])
			notes = append(notes, fmt.Sprintf("topic cut to %d characters: %q", maxTopic, name))
		}
		out = append(out, name)
	}
	for _, c := range it.Categories {
		switch c.Domain {
		case "", "category":
			// WXR 1.0 lists an item's categories without a domain, and
			// sometimes without a nicename.
			if c.Nicename == "" {
				c.Nicename = content.Slugify(c.Name)
			}
			if c.Nicename == "uncategorized" || (skipCategory != nil && skipCategory(c.Nicename)) {
				continue
			}
			for _, name := range lineage(c, cats) {
				add(name)
			}
		case "post_tag", "tag":
			add(c.Name)
		}
	}
	if len(out) > maxTopics {
		notes = append(notes, fmt.Sprintf("%d topics: kept the first %d", len(out), maxTopics))
		out = out[:maxTopics]
	}
	return out, strings.Join(notes, "; ")
}

// lineage is a category's name after its ancestors' names.
func lineage(c ItemTerm, cats map[string]*Term) []string {
	var names []string
	seen := map[string]bool{}
	for slug := cats[c.Nicename].parentSlug(); slug != "" && !seen[slug]; slug = cats[slug].parentSlug() {
		seen[slug] = true
		if t := cats[slug]; t != nil && t.Slug != "uncategorized" {
			names = append([]string{t.Name}, names...)
		}
	}
	return append(names, c.Name)
}

func (t *Term) parentSlug() string {
	if t == nil {
		return ""
	}
	return t.Parent
}

// topCategory is the top-level ancestor of a category.
func topCategory(slug string, cats map[string]*Term) string {
	seen := map[string]bool{}
	for cats[slug].parentSlug() != "" && !seen[slug] {
		seen[slug] = true
		slug = cats[slug].Parent
	}
	return slug
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// oldPaths are the addresses the item had: its permalink's path and
// /?p=ID (/?page_id=ID for a page), under the blog's own path. The guid
// is left out: an item moved between sites keeps the first site's.
func oldPaths(it *Item, site Site) []string {
	var out []string
	add := func(raw string) {
		if p, ok := content.RedirectPath(raw); ok && !contains(out, p) {
			out = append(out, p)
		}
	}
	if it.Link != "" {
		add(it.Link)
	}
	base, blog := "/", site.BaseBlogURL
	if blog == "" {
		blog = site.Link // WXR 1.0 has no base_blog_url
	}
	if u, err := url.Parse(blog); err == nil && u.Path != "" {
		base = strings.TrimRight(u.Path, "/") + "/"
	}
	add(base + "?p=" + it.ID)
	if it.Type == "page" {
		add(base + "?page_id=" + it.ID)
	}
	return out
}
