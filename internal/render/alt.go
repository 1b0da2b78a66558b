package render

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ImagesWithoutAlt counts the images of a Markdown text that readers who
// cannot see them would miss: a Markdown image with empty alt text, or an
// HTML <img> without an alt attribute or with an empty one. It parses
// Markdown as HTML does, so an image inside a code span is not counted.
// The publish gates call it (content cannot import render).
func (r *Renderer) ImagesWithoutAlt(markdown string) int {
	src := []byte(markdown)
	doc := r.md.Parser().Parse(text.NewReader(src))
	var raw bytes.Buffer
	n := 0
	_ = ast.Walk(doc, func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch node := node.(type) {
		case *ast.Image:
			if strings.TrimSpace(plainText(node, src)) == "" {
				n++
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			writeLines(&raw, node.Lines(), src)
			if node.HasClosure() {
				raw.Write(node.ClosureLine.Value(src))
			}
		case *ast.RawHTML:
			writeLines(&raw, node.Segments, src)
		}
		return ast.WalkContinue, nil
	})
	return n + htmlImagesWithoutAlt(raw.String())
}

// plainText is the text of an inline node's children: an image's alt.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
		case *ast.String:
			b.Write(c.Value)
		default:
			b.WriteString(plainText(c, src))
		}
	}
	return b.String()
}

func writeLines(b *bytes.Buffer, lines *text.Segments, src []byte) {
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(src))
	}
	b.WriteByte('\n')
}

// htmlImagesWithoutAlt counts the <img> tags of raw HTML with no alt text.
func htmlImagesWithoutAlt(s string) int {
	z := html.NewTokenizer(strings.NewReader(s))
	n := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return n
		case html.StartTagToken, html.SelfClosingTagToken:
			if t := z.Token(); t.DataAtom == atom.Img && !hasAlt(t) {
				n++
			}
		}
	}
}

func hasAlt(t html.Token) bool {
	for _, a := range t.Attr {
		if a.Key == "alt" && strings.TrimSpace(a.Val) != "" {
			return true
		}
	}
	return false
}
