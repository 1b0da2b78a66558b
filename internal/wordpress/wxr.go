// Package wordpress moves a WordPress site in: it reads a WordPress export
// (WXR 1.0–1.2) in one streaming pass of encoding/xml with memory bounded
// by one item, turns its posts' HTML, blocks and shortcodes into Markdown,
// and maps posts, pages, attachments, authors and terms onto documents,
// media assets, contributors and topics through the content and media use
// cases, keyed by the export's site URL so that a second run changes
// nothing. It imports cms, content, media and workflow, and no web or
// database package.
package wordpress

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// MaxElementBytes bounds what one element of the file (an item, a term,
// a comment between them) may take: a text node larger than this stops
// the run instead of filling memory.
const MaxElementBytes = 32 << 20

// Site is what the export says of the site it came from.
type Site struct {
	Title       string
	Link        string
	BaseSiteURL string
	BaseBlogURL string
	Version     string // wp:wxr_version
}

// Author is a wp:author.
type Author struct {
	ID          string `xml:"author_id"`
	Login       string `xml:"author_login"`
	Email       string `xml:"author_email"`
	DisplayName string `xml:"author_display_name"`
	FirstName   string `xml:"author_first_name"`
	LastName    string `xml:"author_last_name"`
	Line        int    `xml:"-"`
}

// Term is a wp:category, wp:tag or wp:term.
type Term struct {
	Taxonomy string // category, post_tag, or the wp:term's taxonomy
	Slug     string
	Name     string
	Parent   string // the parent's slug, for categories
	Line     int
}

// rawTerm has the element names of all three kinds of term.
type rawTerm struct {
	XMLName      xml.Name
	CatNicename  string `xml:"category_nicename"`
	CatParent    string `xml:"category_parent"`
	CatName      string `xml:"cat_name"`
	TagSlug      string `xml:"tag_slug"`
	TagName      string `xml:"tag_name"`
	TermTaxonomy string `xml:"term_taxonomy"`
	TermSlug     string `xml:"term_slug"`
	TermParent   string `xml:"term_parent"`
	TermName     string `xml:"term_name"`
}

func (r rawTerm) term(line int) Term {
	switch r.XMLName.Local {
	case "category":
		return Term{Taxonomy: "category", Slug: r.CatNicename, Name: r.CatName, Parent: r.CatParent, Line: line}
	case "tag":
		return Term{Taxonomy: "post_tag", Slug: r.TagSlug, Name: r.TagName, Line: line}
	}
	return Term{Taxonomy: r.TermTaxonomy, Slug: r.TermSlug, Name: r.TermName, Parent: r.TermParent, Line: line}
}

// Item is one post, page, attachment or other object of the export.
type Item struct {
	Title         string     `xml:"title"`
	Link          string     `xml:"link"`
	Creator       string     `xml:"creator"`
	GUID          string     `xml:"guid"`
	Encoded       []encoded  `xml:"encoded"`
	ID            string     `xml:"post_id"`
	Date          string     `xml:"post_date"`
	DateGMT       string     `xml:"post_date_gmt"`
	Modified      string     `xml:"post_modified"`
	ModifiedGMT   string     `xml:"post_modified_gmt"`
	Name          string     `xml:"post_name"`
	Status        string     `xml:"status"`
	Parent        string     `xml:"post_parent"`
	Type          string     `xml:"post_type"`
	Password      string     `xml:"post_password"`
	Sticky        string     `xml:"is_sticky"`
	AttachmentURL string     `xml:"attachment_url"`
	Categories    []ItemTerm `xml:"category"`
	Meta          []meta     `xml:"postmeta"`
	Comments      []struct{} `xml:"comment"`
	Line          int        `xml:"-"`
	metaIndex     map[string]string
}

type encoded struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

type meta struct {
	Key   string `xml:"meta_key"`
	Value string `xml:"meta_value"`
}

// ItemTerm is a category or tag an item is filed under.
type ItemTerm struct {
	Domain   string `xml:"domain,attr"`
	Nicename string `xml:"nicename,attr"`
	Name     string `xml:",chardata"`
}

// Content is the item's content:encoded, its body.
func (it *Item) Content() string { return it.encoded(false) }

// Excerpt is the item's excerpt:encoded.
func (it *Item) Excerpt() string { return it.encoded(true) }

func (it *Item) encoded(excerpt bool) string {
	for _, e := range it.Encoded {
		if strings.Contains(e.XMLName.Space, "excerpt") == excerpt {
			return e.Text
		}
	}
	return ""
}

// MetaValue is the value of a wp:postmeta key, "" when absent.
func (it *Item) MetaValue(key string) string {
	if it.metaIndex == nil {
		it.metaIndex = make(map[string]string, len(it.Meta))
		for _, m := range it.Meta {
			it.metaIndex[m.Key] = m.Value
		}
	}
	return it.metaIndex[key]
}

// MaxDepth bounds how deep elements nest: an export nests five deep, and
// the decoder keeps a record of every open element.
const MaxDepth = 128

// Reader reads an export's parts in file order.
type Reader struct {
	dec    *xml.Decoder // elements, namespaces, from lex's tokens
	lex    *xml.Decoder // the bytes, and where in them
	budget *budget
	site   Site
	state  int // 0: before <rss>, 1: before <channel>, 2: in the channel, 3: after it
}

// NewReader reads an export from r.
func NewReader(r io.Reader) *Reader {
	b := &budget{r: r}
	lex := xml.NewDecoder(b)
	lex.Strict = true
	// HTML's named characters map to one character each, so they cannot
	// grow a text; a document type's own entities are never expanded.
	lex.Entity = xml.HTMLEntity
	lex.CharsetReader = charset.NewReaderLabel
	dec := xml.NewTokenDecoder(&depthLimit{lex: lex})
	return &Reader{dec: dec, lex: lex, budget: b}
}

// depthLimit hands the lexer's tokens on, refusing to nest deeper than
// MaxDepth.
type depthLimit struct {
	lex   *xml.Decoder
	depth int
}

var errTooDeep = fmt.Errorf("elements nest deeper than %d", MaxDepth)

func (l *depthLimit) Token() (xml.Token, error) {
	t, err := l.lex.RawToken()
	switch t.(type) {
	case xml.StartElement:
		if l.depth++; l.depth > MaxDepth {
			return nil, errTooDeep
		}
	case xml.EndElement:
		l.depth--
	}
	return t, err
}

// Site is what the channel said of the site so far (all of it once the
// first item, author or term has been read).
func (r *Reader) Site() Site { return r.site }

// Next returns the next *Author, *Term or *Item, and io.EOF after the
// channel ends. Errors name the line and column.
func (r *Reader) Next() (any, error) {
	for {
		r.budget.mark()
		line, col := r.lex.InputPos()
		tok, err := r.dec.Token()
		if err == io.EOF {
			if r.state != 3 {
				return nil, r.errAt(line, col, errors.New("the file ends before the channel does (truncated?)"))
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := r.start(t, line, col)
			if v != nil || err != nil {
				return v, err
			}
		case xml.EndElement:
			if r.state == 2 && t.Name.Local == "channel" {
				if r.site.Version == "" {
					return nil, r.errAt(line, col, errors.New("not a WordPress export (WXR): the channel has no wp:wxr_version"))
				}
				r.state = 3
			}
		}
	}
}

// start handles an element at the top: the envelope, the channel's facts
// about the site, and the parts it hands out.
func (r *Reader) start(t xml.StartElement, line, col int) (any, error) {
	switch r.state {
	case 0:
		if t.Name.Local != "rss" {
			return nil, r.errAt(line, col, fmt.Errorf("not a WordPress export (WXR): the root element is <%s>, not <rss>", t.Name.Local))
		}
		r.state = 1
		return nil, nil
	case 1:
		if t.Name.Local != "channel" {
			return nil, r.errAt(line, col, fmt.Errorf("not a WordPress export (WXR): <%s> where <channel> belongs", t.Name.Local))
		}
		r.state = 2
		return nil, nil
	case 3:
		return nil, r.errAt(line, col, fmt.Errorf("<%s> after the channel", t.Name.Local))
	}
	switch t.Name.Local {
	case "item", "author", "category", "tag", "term":
		if r.site.Version == "" {
			return nil, r.errAt(line, col, fmt.Errorf("not a WordPress export (WXR): <%s> before any wp:wxr_version", t.Name.Local))
		}
		return r.part(t, line)
	case "title", "link", "wxr_version", "base_site_url", "base_blog_url":
		var s string
		if err := r.dec.DecodeElement(&s, &t); err != nil {
			return nil, r.syntax(err)
		}
		r.siteFact(t.Name.Local, strings.TrimSpace(s))
		return nil, nil
	}
	if err := r.dec.Skip(); err != nil {
		return nil, r.syntax(err)
	}
	return nil, nil
}

func (r *Reader) siteFact(name, v string) {
	switch name {
	case "title":
		r.site.Title = v
	case "link":
		r.site.Link = v
	case "wxr_version":
		r.site.Version = v
	case "base_site_url":
		r.site.BaseSiteURL = v
	case "base_blog_url":
		r.site.BaseBlogURL = v
	}
}

// part decodes one author, term or item whole: the budget bounds it.
func (r *Reader) part(t xml.StartElement, line int) (any, error) {
	switch t.Name.Local {
	case "item":
		it := &Item{Line: line}
		if err := r.dec.DecodeElement(it, &t); err != nil {
			return nil, r.syntax(err)
		}
		return it, nil
	case "author":
		a := &Author{Line: line}
		if err := r.dec.DecodeElement(a, &t); err != nil {
			return nil, r.syntax(err)
		}
		return a, nil
	}
	var raw rawTerm
	if err := r.dec.DecodeElement(&raw, &t); err != nil {
		return nil, r.syntax(err)
	}
	term := raw.term(line)
	return &term, nil
}

// Error is a problem with the file, at a line and column.
type Error struct {
	Line, Column int
	Err          error
}

func (e *Error) Error() string {
	return fmt.Sprintf("wordpress: line %d, column %d: %v", e.Line, e.Column, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

func (r *Reader) errAt(line, col int, err error) error {
	return &Error{Line: line, Column: col, Err: err}
}

// syntax places a decoder's error at the line and column the lexer
// stopped at.
func (r *Reader) syntax(err error) error {
	// Where the lexer stopped: the element decoder reads tokens, not
	// bytes, so its own positions mean nothing.
	line, col := r.lex.InputPos()
	if errors.Is(err, errTooLarge) {
		return r.errAt(line, col, fmt.Errorf("an element is larger than %d MB", MaxElementBytes>>20))
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return r.errAt(line, col, errors.New(se.Msg))
	}
	return r.errAt(line, col, err)
}

var errTooLarge = errors.New("element too large")

// budget fails a read once more than MaxElementBytes were read since the
// last mark, so that no single element can make the decoder hold more.
type budget struct {
	r    io.Reader
	read int64
	from int64
}

func (b *budget) mark() { b.from = b.read }

func (b *budget) Read(p []byte) (int, error) {
	if b.read-b.from > MaxElementBytes {
		return 0, errTooLarge
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}
