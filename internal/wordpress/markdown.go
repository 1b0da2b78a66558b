package wordpress

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// block writes n if it is a block element and reports whether it was.
func (w *mdWriter) block(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Main, atom.Aside,
		atom.Nav, atom.Address, atom.Dl, atom.Dd, atom.Dt, atom.Center, atom.Details, atom.Summary, atom.Caption:
		w.flush()
		w.children(n)
		w.flush()
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush()
		w.children(n)
		level := int(n.Data[1] - '0')
		if text := strings.TrimSpace(collapseSpaces(strings.ReplaceAll(w.inline.String(), "\\\n", " "))); text != "" {
			w.inline.Reset()
			w.emit(strings.Repeat("#", level) + " " + text)
		}
		w.inline.Reset()
	case atom.Blockquote:
		w.nested(n, "> ")
	case atom.Ul, atom.Ol:
		w.flush()
		w.list = append(w.list, listState{ordered: n.DataAtom == atom.Ol})
		w.children(n)
		w.flush()
		w.list = w.list[:len(w.list)-1]
	case atom.Li:
		w.item(n)
	case atom.Pre:
		w.preformatted(n)
	case atom.Hr:
		w.flush()
		w.emit("---")
	case atom.Figure:
		w.figure(n)
	case atom.Table:
		w.table(n)
	default:
		return false
	}
	return true
}

// nested writes n's content with a prefix on every line.
func (w *mdWriter) nested(n *html.Node, prefix string) {
	w.flush()
	w.prefix = append(w.prefix, prefix)
	start := len(w.blocks)
	w.children(n)
	w.flush()
	w.prefix = w.prefix[:len(w.prefix)-1]
	w.joinFrom(start, prefix)
}

// joinFrom makes the blocks written since start one block, so that a
// quote's paragraphs stay in one quote.
func (w *mdWriter) joinFrom(start int, prefix string) {
	if len(w.blocks)-start < 2 {
		return
	}
	sep := "\n" + strings.Join(w.prefix, "") + strings.TrimRight(prefix, " ") + "\n"
	joined := strings.Join(w.blocks[start:], sep)
	w.blocks = append(w.blocks[:start], joined)
}

func (w *mdWriter) item(n *html.Node) {
	w.flush()
	marker := "- "
	if len(w.list) > 0 {
		l := &w.list[len(w.list)-1]
		l.n++
		if l.ordered {
			marker = strconv.Itoa(l.n) + ". "
		}
	}
	start := len(w.blocks)
	indent := strings.Repeat(" ", len(marker))
	w.prefix = append(w.prefix, indent)
	w.children(n)
	w.flush()
	w.prefix = w.prefix[:len(w.prefix)-1]
	if len(w.blocks) == start {
		w.emit(marker)
		return
	}
	outer := strings.Join(w.prefix, "")
	first := w.blocks[start]
	w.blocks[start] = outer + marker + strings.TrimPrefix(first, outer+indent)
	// A list's items are one block, so the list stays tight.
	joined := strings.Join(w.blocks[start:], "\n")
	w.blocks = w.blocks[:start]
	if start > 0 && w.listContinues() {
		w.blocks[start-1] += "\n" + joined
		return
	}
	w.blocks = append(w.blocks, joined)
}

// listContinues reports whether the last block is an item of the
// current list (its second item onwards).
func (w *mdWriter) listContinues() bool {
	return len(w.list) > 0 && w.list[len(w.list)-1].n > 1
}

func (w *mdWriter) preformatted(n *html.Node) {
	w.flush()
	w.pre++
	w.children(n)
	w.pre--
	code := strings.Trim(w.inline.String(), "\n")
	w.inline.Reset()
	fence := "```"
	for strings.Contains(code, fence) {
		fence += "`"
	}
	w.emit(fence + "\n" + code + "\n" + fence)
}

// figure writes an image and its caption: the caption as an emphasised
// line under the image.
func (w *mdWriter) figure(n *html.Node) {
	w.flush()
	var caption *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == atom.Figcaption {
			caption = c
			continue
		}
		w.node(c)
	}
	w.flush()
	if caption != nil {
		w.children(caption)
		if text := strings.TrimSpace(collapseSpaces(w.inline.String())); text != "" {
			w.inline.Reset()
			w.emit("*" + text + "*")
		}
		w.inline.Reset()
	}
}

// table writes a table as a GitHub table, its first row the header.
func (w *mdWriter) table(n *html.Node) {
	w.flush()
	var rows [][]string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Tr {
				rows = append(rows, w.cells(c))
				continue
			}
			if c.Type == html.ElementNode && !dropped[c.DataAtom] {
				walk(c)
			}
		}
	}
	walk(n)
	if len(rows) == 0 {
		return
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	var b strings.Builder
	for i, r := range rows {
		for len(r) < width {
			r = append(r, "")
		}
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
		if i == 0 {
			b.WriteString(strings.Repeat("| --- ", width) + "|\n")
		}
	}
	w.emit(strings.TrimRight(b.String(), "\n"))
}

func (w *mdWriter) cells(tr *html.Node) []string {
	var out []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom != atom.Td && c.DataAtom != atom.Th {
			continue
		}
		sub := &mdWriter{classic: false, conv: w.conv}
		sub.children(c)
		text := strings.ReplaceAll(sub.result(), "\n", " ")
		out = append(out, strings.TrimSpace(text))
	}
	return out
}

// inlineElement writes emphasis, links, images, code and line breaks;
// other elements give their text.
func (w *mdWriter) inlineElement(n *html.Node) {
	switch n.DataAtom {
	case atom.Br:
		w.inline.WriteString("\\\n")
	case atom.Strong, atom.B:
		w.wrap(n, "**")
	case atom.Em, atom.I, atom.Cite:
		w.wrap(n, "*")
	case atom.Del, atom.S, atom.Strike:
		w.wrap(n, "~~")
	case atom.Code, atom.Kbd, atom.Tt, atom.Samp:
		w.code(n)
	case atom.A:
		w.link(n)
	case atom.Img:
		w.img(n)
	default:
		w.children(n)
	}
}

// wrap writes n's text between marks, its spaces outside them (CommonMark
// does not emphasise "** a**").
func (w *mdWriter) wrap(n *html.Node, mark string) {
	sub := &mdWriter{classic: w.classic, conv: w.conv, pre: w.pre}
	sub.children(n)
	text := sub.inline.String()
	sub.flush()
	if len(sub.blocks) > 1 {
		// Emphasis across paragraphs: keep the text, drop the emphasis.
		w.inline.WriteString(strings.Join(sub.blocks, " "))
		return
	}
	inner := strings.TrimSpace(text)
	if inner == "" {
		w.inline.WriteString(text)
		return
	}
	lead, trail := text[:strings.Index(text, inner)], text[strings.Index(text, inner)+len(inner):]
	w.inline.WriteString(lead + mark + inner + mark + trail)
}

func (w *mdWriter) code(n *html.Node) {
	text := textOf(n)
	fence := "`"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	if text != "" {
		w.inline.WriteString(fence + text + fence)
	}
}

func (w *mdWriter) link(n *html.Node) {
	href := safeURL(attr(n, "href"))
	sub := &mdWriter{classic: w.classic, conv: w.conv}
	sub.children(n)
	text := strings.TrimSpace(collapseSpaces(sub.inline.String()))
	sub.inline.Reset()
	sub.flush()
	if href == "" || text == "" {
		w.inline.WriteString(text)
		return
	}
	w.inline.WriteString("[" + text + "](" + href + ")")
}

func (w *mdWriter) img(n *html.Node) {
	src := safeURL(attr(n, "src"))
	if src == "" {
		return
	}
	w.conv.images = append(w.conv.images, src)
	if w.conv.image != nil {
		if to := w.conv.image(src); to != "" {
			src = to
		}
	}
	alt := strings.NewReplacer("[", "", "]", "", "\n", " ").Replace(attr(n, "alt"))
	w.inline.WriteString("![" + alt + "](" + src + ")")
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(squeeze(b.String(), isSpace))
}
