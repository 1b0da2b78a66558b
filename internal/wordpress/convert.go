package wordpress

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Converted is a post body as Markdown, with what the conversion could
// not carry over.
type Converted struct {
	Markdown string
	// Shortcodes are the shortcodes kept as text ([gallery], [embed], …).
	Shortcodes []string
	// Images are the image URLs of the body, as written in the export.
	Images []string
}

// Convert turns a post's HTML — classic (paragraphs by blank lines, as
// WordPress's wpautop reads it) or Gutenberg blocks — into CommonMark.
// Only text, links, images and the structure Markdown has survive: script,
// style, frames, forms, event handlers and javascript: URLs are dropped,
// and rendering sanitizes what is left once more. [caption] becomes a
// figure with its caption; other shortcodes stay as readable text and
// are listed. image rewrites an image URL to Masthead's ("" keeps it).
func Convert(body string, image func(src string) string) Converted {
	c := &converter{image: image}
	body = c.captions(body)
	c.listShortcodes(body)
	classic := !strings.Contains(body, "<!-- wp:")
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return Converted{Markdown: escapeText(body)}
	}
	w := &mdWriter{classic: classic, conv: c}
	for _, n := range nodes {
		w.node(n)
	}
	return Converted{Markdown: w.result(), Shortcodes: c.shortcodes, Images: c.images}
}

type converter struct {
	image      func(string) string
	shortcodes []string
	images     []string
}

var (
	captionRE   = regexp.MustCompile(`(?s)\[caption([^\]]*)\](.*?)\[/caption\]`)
	shortcodeRE = regexp.MustCompile(`\[([a-zA-Z][a-zA-Z0-9_-]*)(\s[^\]]*)?\]`)
	imgTagRE    = regexp.MustCompile(`(?s)^\s*(<a[^>]*>\s*)?<img[^>]*>(\s*</a>)?`)
	captionAttr = regexp.MustCompile(`caption="([^"]*)"`)
)

// captions turns [caption]<img …> text[/caption] into a figure.
func (c *converter) captions(body string) string {
	return captionRE.ReplaceAllStringFunc(body, func(m string) string {
		parts := captionRE.FindStringSubmatch(m)
		inner := parts[2]
		img := imgTagRE.FindString(inner)
		text := strings.TrimSpace(inner[len(img):])
		if text == "" {
			if a := captionAttr.FindStringSubmatch(parts[1]); a != nil {
				text = a[1]
			}
		}
		return "<figure>" + img + "<figcaption>" + text + "</figcaption></figure>"
	})
}

// listShortcodes notes every shortcode left in the body (closing tags
// and [caption], converted, aside).
func (c *converter) listShortcodes(body string) {
	for _, m := range shortcodeRE.FindAllStringSubmatch(body, -1) {
		name := strings.ToLower(m[1])
		if !contains(c.shortcodes, name) {
			c.shortcodes = append(c.shortcodes, name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mdWriter writes Markdown blocks: each block a paragraph of inline text.
type mdWriter struct {
	classic bool
	conv    *converter
	blocks  []string
	inline  strings.Builder
	prefix  []string // block quote and list prefixes, innermost last
	list    []listState
	pre     int
}

type listState struct {
	ordered bool
	n       int
}

func (w *mdWriter) result() string {
	w.flush()
	return strings.TrimSpace(strings.Join(w.blocks, "\n\n")) + "\n"
}

// flush ends the current paragraph.
func (w *mdWriter) flush() {
	text := strings.TrimSpace(collapseSpaces(w.inline.String()))
	w.inline.Reset()
	if text == "" {
		return
	}
	w.emit(text)
}

// emit adds a block, prefixed by the quotes and lists it is in.
func (w *mdWriter) emit(block string) {
	p := strings.Join(w.prefix, "")
	lines := strings.Split(block, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(p+lines[i], " ")
	}
	w.blocks = append(w.blocks, strings.Join(lines, "\n"))
}

// collapseSpaces makes each run of spaces and tabs one space (a loop,
// not a regular expression: it runs on every paragraph of every post).
func collapseSpaces(s string) string {
	s = squeeze(s, func(b byte) bool { return b == ' ' || b == '\t' })
	s = strings.ReplaceAll(s, "\n ", "\n")
	return strings.ReplaceAll(s, " \\\n", "\\\n")
}

// dropped are elements whose content is never text for a reader.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Form: true, atom.Input: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Noscript: true, atom.Template: true, atom.Svg: true, atom.Math: true, atom.Head: true,
	atom.Title: true, atom.Meta: true, atom.Link: true, atom.Frameset: true, atom.Frame: true,
}

func (w *mdWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
	default:
		return // comments (Gutenberg's block delimiters), doctypes
	}
	if dropped[n.DataAtom] {
		return
	}
	if w.block(n) {
		return
	}
	w.inlineElement(n)
}

func (w *mdWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

// text writes a text node; in classic content a blank line ends a
// paragraph and a single newline is a line break, as wpautop reads it.
func (w *mdWriter) text(s string) {
	if w.pre > 0 {
		w.inline.WriteString(s)
		return
	}
	if !w.classic {
		w.inline.WriteString(escapeText(squeeze(s, isSpace)))
		return
	}
	paras := blankLineRE.Split(s, -1)
	for i, p := range paras {
		if i > 0 {
			w.flush()
		}
		lines := strings.Split(p, "\n")
		for j, l := range lines {
			if j > 0 && strings.TrimSpace(w.inline.String()) != "" && strings.TrimSpace(strings.Join(lines[j:], "")) != "" {
				w.inline.WriteString("\\\n")
			}
			w.inline.WriteString(escapeText(l))
		}
	}
}

// squeeze makes each run of bytes that space says are space one " ".
func squeeze(s string, space func(byte) bool) string {
	var b strings.Builder
	b.Grow(len(s))
	in := false
	for i := 0; i < len(s); i++ {
		if space(s[i]) {
			if !in {
				b.WriteByte(' ')
			}
			in = true
			continue
		}
		in = false
		b.WriteByte(s[i])
	}
	return b.String()
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

var blankLineRE = regexp.MustCompile(`\n[ \t]*\n\s*`)

var mdSpecial = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`)

func escapeText(s string) string { return mdSpecial.Replace(s) }

// safeURL keeps http(s), mailto and relative URLs; anything that could
// run (javascript:, data:, vbscript:) is dropped.
func safeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
	default:
		return ""
	}
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(raw)
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
