// Package ghost reads a Ghost export (the JSON file of Ghost's Labs →
// Export, versions 1 to 5) and writes it out as a WordPress export (WXR
// 1.2), so that a Ghost site moves in through the one import pipeline
// Masthead has: the same mapping of posts, pages, authors, tags, dates,
// feature images and old URLs, the same report, dry run and second run
// that changes nothing. Members are read here for the newsletter import.
// It imports no other Masthead package.
package ghost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxFileBytes bounds the export read: the file is read whole.
const MaxFileBytes = 512 << 20

// Export is what an import needs of a Ghost export.
type Export struct {
	Version      string // meta.version, such as "5.80.0"
	Title        string // the site's title setting
	Posts        []Post
	Tags         []Tag
	Users        []User
	PostsTags    []PostTag
	PostsAuthors []PostAuthor
	PostsMeta    []PostMeta
	Members      []Member
}

// Post is a post or a page.
type Post struct {
	ID            ID     `json:"id"`
	UUID          string `json:"uuid"`
	Title         string `json:"title"`
	Slug          string `json:"slug"`
	HTML          string `json:"html"`
	Plaintext     string `json:"plaintext"`
	FeatureImage  string `json:"feature_image"`
	Type          string `json:"type"` // post, page (Ghost 3+)
	Page          Flag   `json:"page"` // Ghost 1–2
	Status        string `json:"status"`
	Visibility    string `json:"visibility"`
	CustomExcerpt string `json:"custom_excerpt"`
	AuthorID      ID     `json:"author_id"` // Ghost 1; later posts_authors
	CreatedAt     Stamp  `json:"created_at"`
	UpdatedAt     Stamp  `json:"updated_at"`
	PublishedAt   Stamp  `json:"published_at"`
}

// IsPage reports whether p is a page rather than a post.
func (p Post) IsPage() bool { return p.Type == "page" || bool(p.Page) }

// Tag is a tag; internal tags' names start with #.
type Tag struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// User is a staff user: an author.
type User struct {
	ID    ID     `json:"id"`
	Name  string `json:"name"`
	Slug  string `json:"slug"`
	Email string `json:"email"`
}

// PostTag links a post to a tag, in order.
type PostTag struct {
	PostID    ID  `json:"post_id"`
	TagID     ID  `json:"tag_id"`
	SortOrder int `json:"sort_order"`
}

// PostAuthor links a post to an author; sort order 0 is the primary one.
type PostAuthor struct {
	PostID    ID  `json:"post_id"`
	AuthorID  ID  `json:"author_id"`
	SortOrder int `json:"sort_order"`
}

// PostMeta holds a post's feature image alt text and caption (Ghost 4+).
type PostMeta struct {
	PostID              ID     `json:"post_id"`
	FeatureImageAlt     string `json:"feature_image_alt"`
	FeatureImageCaption string `json:"feature_image_caption"`
}

// Member is a reader with an account, who may get the newsletter.
type Member struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	Subscribed *bool  `json:"subscribed"` // Ghost 3–4; absent later
	CreatedAt  Stamp  `json:"created_at"`
}

// Read reads and checks a whole export. A file that is not JSON, or not
// a Ghost export, is refused with the line and column of the problem.
func Read(r io.Reader) (*Export, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("ghost: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("ghost: the export is larger than %d MB", MaxFileBytes>>20)
	}
	var file struct {
		DB   []dump  `json:"db"`
		Meta *meta   `json:"meta"`
		Data *tables `json:"data"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, positioned(data, err)
	}
	d := dump{Meta: file.Meta, Data: file.Data}
	if len(file.DB) > 0 {
		d = file.DB[0]
	}
	if d.Meta == nil || d.Data == nil || d.Meta.Version == "" {
		return nil, errors.New("ghost: not a Ghost export: no db[0].meta.version and data")
	}
	return d.export(), nil
}

type dump struct {
	Meta *meta   `json:"meta"`
	Data *tables `json:"data"`
}

type meta struct {
	Version string `json:"version"`
}

type tables struct {
	Posts        []Post       `json:"posts"`
	Tags         []Tag        `json:"tags"`
	Users        []User       `json:"users"`
	PostsTags    []PostTag    `json:"posts_tags"`
	PostsAuthors []PostAuthor `json:"posts_authors"`
	PostsMeta    []PostMeta   `json:"posts_meta"`
	Members      []Member     `json:"members"`
	Settings     []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"settings"`
}

func (d dump) export() *Export {
	x := d.Data
	e := &Export{Version: d.Meta.Version, Posts: x.Posts, Tags: x.Tags, Users: x.Users, PostsTags: x.PostsTags,
		PostsAuthors: x.PostsAuthors, PostsMeta: x.PostsMeta, Members: x.Members}
	for _, s := range x.Settings {
		var v string
		if s.Key == "title" && json.Unmarshal(s.Value, &v) == nil {
			e.Title = v
		}
	}
	return e
}

// positioned names the line and column of a JSON error.
func positioned(data []byte, err error) error {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end"):
		offset = int64(len(data))
	}
	if offset < 0 {
		return fmt.Errorf("ghost: not a Ghost export: %w", err)
	}
	before := data[:min(int(offset), len(data))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("ghost: line %d, column %d: not a Ghost export: %w", line, col, err)
}

// Stamp is a time as Ghost exports write it: an ISO 8601 string (Ghost
// 2+), milliseconds since 1970 (Ghost 1), or null.
type Stamp struct{ time.Time }

func (s *Stamp) UnmarshalJSON(b []byte) error {
	raw := strings.TrimSpace(string(b))
	if raw == "null" || raw == `""` {
		return nil
	}
	if ms, err := strconv.ParseInt(raw, 10, 64); err == nil {
		s.Time = time.UnixMilli(ms).UTC()
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			s.Time = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("not a time: %q", v)
}

// Flag is a boolean that Ghost 1 exports write as 0 or 1.
type Flag bool

func (f *Flag) UnmarshalJSON(b []byte) error {
	switch strings.TrimSpace(string(b)) {
	case "true", "1":
		*f = true
	case "false", "0", "null":
		*f = false
	default:
		return fmt.Errorf("not a boolean: %s", b)
	}
	return nil
}

// ID is an id: a string (Ghost 2+) or a number (Ghost 1).
type ID string

func (id *ID) UnmarshalJSON(b []byte) error {
	raw := strings.TrimSpace(string(b))
	if raw == "null" {
		*id = ""
		return nil
	}
	if _, err := strconv.ParseInt(raw, 10, 64); err == nil {
		*id = ID(raw)
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*id = ID(v)
	return nil
}
