package ghost

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// placeholder is what Ghost 4+ exports write for the site's own address.
const placeholder = "__GHOST_URL__"

// Options say what an export cannot: where the site lived.
type Options struct {
	// SiteURL is the Ghost site's address, such as https://example.org:
	// posts' old links are SiteURL/slug/, and it keys the import, so a
	// second run of the same site changes nothing.
	SiteURL string
}

// WriteWXR writes e as a WordPress export (WXR 1.2): users become
// authors, tags tags (internal #tags are left out), posts and pages
// items with their dates, status, excerpt and author, feature images and
// images under /content/images/ attachments. Statuses map to WordPress's:
// published → publish (or private when only members may read it),
// scheduled → future, sent (mailed, never on the web) → private, the rest
// draft.
func WriteWXR(e *Export, opt Options, out io.Writer) error {
	site := strings.TrimRight(opt.SiteURL, "/")
	w := &wxrWriter{w: bufio.NewWriter(out), site: site, e: e}
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">` + "\n<channel>\n")
	w.elem("title", cmp.Or(e.Title, "Ghost"))
	w.elem("link", site)
	w.elem("wp:wxr_version", "1.2")
	w.elem("wp:base_site_url", site)
	w.elem("wp:base_blog_url", site)
	for _, u := range e.Users {
		w.author(u)
	}
	for _, t := range e.Tags {
		if !strings.HasPrefix(t.Name, "#") && t.Slug != "" {
			w.raw("<wp:tag>")
			w.elem("wp:tag_slug", t.Slug)
			w.elem("wp:tag_name", t.Name)
			w.raw("</wp:tag>\n")
		}
	}
	w.index()
	for _, p := range e.Posts {
		w.post(p)
	}
	w.raw("</channel>\n</rss>\n")
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

type wxrWriter struct {
	w    *bufio.Writer
	err  error
	site string
	e    *Export

	tags    map[ID][]Tag // post → its tags in order
	authors map[ID]string
	meta    map[ID]PostMeta
	images  map[string]bool // attachments written, by URL
}

func (w *wxrWriter) raw(s string) {
	if w.err == nil {
		_, w.err = w.w.WriteString(s)
	}
}

// elem writes <name>text</name>, the text escaped.
func (w *wxrWriter) elem(name, text string) {
	w.raw("<" + name + ">")
	if w.err == nil {
		w.err = xml.EscapeText(w.w, []byte(text))
	}
	w.raw("</" + name + ">\n")
}

// cdata writes <name> with text as character data: a body may hold any
// characters; "]]>" inside it is split over two sections.
func (w *wxrWriter) cdata(name, text string) {
	w.raw("<" + name + "><![CDATA[" + strings.ReplaceAll(text, "]]>", "]]]]><![CDATA[>") + "]]></" + name + ">\n")
}

func (w *wxrWriter) author(u User) {
	w.raw("<wp:author>")
	w.elem("wp:author_id", string(u.ID))
	w.elem("wp:author_login", u.Slug)
	w.elem("wp:author_email", u.Email)
	w.elem("wp:author_display_name", u.Name)
	w.raw("</wp:author>\n")
}

// index links posts to their tags, primary authors and meta.
func (w *wxrWriter) index() {
	byID := map[ID]Tag{}
	for _, t := range w.e.Tags {
		byID[t.ID] = t
	}
	links := slices.Clone(w.e.PostsTags)
	slices.SortStableFunc(links, func(a, b PostTag) int { return a.SortOrder - b.SortOrder })
	w.tags = map[ID][]Tag{}
	for _, l := range links {
		if t, ok := byID[l.TagID]; ok && !strings.HasPrefix(t.Name, "#") {
			w.tags[l.PostID] = append(w.tags[l.PostID], t)
		}
	}
	logins := map[ID]string{}
	for _, u := range w.e.Users {
		logins[u.ID] = u.Slug
	}
	w.authors = map[ID]string{}
	for _, p := range w.e.Posts {
		w.authors[p.ID] = logins[p.AuthorID]
	}
	for _, a := range w.e.PostsAuthors {
		if a.SortOrder == 0 {
			w.authors[a.PostID] = logins[a.AuthorID]
		}
	}
	w.meta = map[ID]PostMeta{}
	for _, m := range w.e.PostsMeta {
		w.meta[m.PostID] = m
	}
	w.images = map[string]bool{}
}

// post writes a post's images, then the post.
func (w *wxrWriter) post(p Post) {
	body := w.absolute(p.HTML)
	if strings.TrimSpace(body) == "" && p.Plaintext != "" {
		body = plainHTML(p.Plaintext)
	}
	for _, src := range contentImages(w.site, body) {
		w.attachment(imageID(src), p, src, "", "")
	}
	thumb := ""
	if img := w.absolute(p.FeatureImage); img != "" {
		thumb = "feature-" + string(p.ID)
		m := w.meta[p.ID]
		w.attachment(thumb, p, img, m.FeatureImageAlt, m.FeatureImageCaption)
	}
	w.raw("<item>\n")
	w.elem("title", p.Title)
	w.elem("link", w.site+"/"+p.Slug+"/")
	w.elem("dc:creator", w.authors[p.ID])
	w.elem("guid", string(p.UUID))
	w.cdata("content:encoded", body)
	w.cdata("excerpt:encoded", p.CustomExcerpt)
	w.elem("wp:post_id", string(p.ID))
	w.dates(p)
	w.elem("wp:post_name", p.Slug)
	w.elem("wp:status", status(p))
	w.elem("wp:post_type", map[bool]string{true: "page", false: "post"}[p.IsPage()])
	for _, t := range w.tags[p.ID] {
		w.raw(`<category domain="post_tag" nicename="` + escape(t.Slug) + `">` + escape(t.Name) + "</category>\n")
	}
	if thumb != "" {
		w.postmeta("_thumbnail_id", thumb)
	}
	w.raw("</item>\n")
}

// dates writes the post's dates in WordPress's form, in UTC: published
// (for a draft, created) and modified.
func (w *wxrWriter) dates(p Post) {
	date := p.PublishedAt.Time
	if date.IsZero() || p.Status == "draft" {
		date = p.CreatedAt.Time
	}
	if !date.IsZero() {
		w.elem("wp:post_date", wpTime(date))
		w.elem("wp:post_date_gmt", wpTime(date))
	}
	if !p.UpdatedAt.IsZero() {
		w.elem("wp:post_modified", wpTime(p.UpdatedAt.Time))
		w.elem("wp:post_modified_gmt", wpTime(p.UpdatedAt.Time))
	}
}

func wpTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// status is the WordPress status of p.
func status(p Post) string {
	switch p.Status {
	case "published":
		if p.Visibility != "" && p.Visibility != "public" {
			return "private" // for members only: not for the public site
		}
		return "publish"
	case "scheduled":
		return "future"
	case "sent":
		return "private" // mailed as a newsletter, never on the web
	}
	return "draft"
}

// attachment writes an image of post p once, under id.
func (w *wxrWriter) attachment(id string, p Post, url, alt, caption string) {
	if w.images[id] {
		return
	}
	w.images[id] = true
	w.raw("<item>\n")
	w.elem("title", p.Title)
	w.elem("guid", url)
	w.cdata("excerpt:encoded", caption)
	w.elem("wp:post_id", id)
	w.elem("wp:post_parent", string(p.ID))
	w.elem("wp:status", "inherit")
	w.elem("wp:post_type", "attachment")
	w.elem("wp:attachment_url", url)
	if alt != "" {
		w.postmeta("_wp_attachment_image_alt", alt)
	}
	w.raw("</item>\n")
}

func (w *wxrWriter) postmeta(key, value string) {
	w.raw("<wp:postmeta>")
	w.elem("wp:meta_key", key)
	w.cdata("wp:meta_value", value)
	w.raw("</wp:postmeta>\n")
}

// absolute puts the site's address where Ghost wrote its placeholder.
func (w *wxrWriter) absolute(s string) string { return strings.ReplaceAll(s, placeholder, w.site) }

// imageSrc finds images' sources in a body.
var imageSrc = regexp.MustCompile(`<img[^>]+src="([^"]+)"`)

// contentImages are the body's images that the site itself served
// (under /content/images/), in order, once each.
func contentImages(site, body string) []string {
	var out []string
	for _, m := range imageSrc.FindAllStringSubmatch(body, -1) {
		src := m[1]
		if strings.HasPrefix(src, site+"/content/images/") && !slices.Contains(out, src) {
			out = append(out, src)
		}
	}
	return out
}

// imageID names a body image after its address, so that it keeps its
// name from one run to the next.
func imageID(url string) string {
	sum := sha256.Sum256([]byte(url))
	return "image-" + hex.EncodeToString(sum[:8])
}

// plainHTML makes paragraphs of a post that has only plain text (its
// editor's document is not HTML).
func plainHTML(text string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + escape(para) + "</p>\n")
		}
	}
	return b.String()
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
