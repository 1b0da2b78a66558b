package render

import (
	"net/url"
	"slices"
	"testing"

	"github.com/masthead-cms/masthead/internal/content"
)

// TestSectionsFollowTheContentType renders a document of a type whose
// field order is not alphabetical, with every kind: sections keep the
// type's order, skip what has no value, escape plain text and render the
// rest; a public URL pattern places the document and its parent.
func TestSectionsFollowTheContentType(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://news.example.org")
	r := New(base).WithPublicURL("https://www.example.org/{series}/{slug}")
	ct := content.ContentType{Name: "report", Fields: []content.Field{
		{Name: "zeta", Label: "Zeta", Kind: content.KindText},
		{Name: "when", Label: "When", Kind: content.KindDate},
		{Name: "missing", Label: "Missing", Kind: content.KindText},
		{Name: "alpha", Label: "Alpha", Kind: content.KindRichText},
		{Name: "points", Label: "Points", Kind: content.KindTextList},
		{Name: "figure", Label: "Figure", Kind: content.KindMedia},
	}}
	parent := content.Series{Slug: "the-peninsula", Name: "The Peninsula"}
	d := r.Document(Input{Type: ct, Series: content.Series{Slug: "korea-view", Name: "Korea View", About: "[form](https://example.org/f)"},
		Parent: &parent, Revision: content.Revision{Slug: "s", Fields: map[string]any{
			"zeta": "a <b>bold</b> claim", "when": "2021-04-14", "alpha": "**strong**",
			"points": []any{"one", "<two>"}, "figure": "asset1",
		}}})
	var names []string
	for _, s := range d.Sections {
		names = append(names, s.Name)
	}
	if want := []string{"zeta", "when", "alpha", "points", "figure"}; !slices.Equal(names, want) {
		t.Fatalf("sections %v, want %v", names, want)
	}
	want := []string{"a &lt;b&gt;bold&lt;/b&gt; claim", "2021-04-14", "<p><strong>strong</strong></p>\n",
		"<ul><li>one</li><li>&lt;two&gt;</li></ul>", `<img src="https://news.example.org/media/asset1" alt="">`}
	for i, s := range d.Sections {
		if s.HTML != want[i] {
			t.Errorf("section %s: html %q, want %q", s.Name, s.HTML, want[i])
		}
	}
	if !slices.Equal(d.Sections[3].Items, []string{"one", "<two>"}) || d.Sections[0].Items != nil {
		t.Errorf("items: list %v, text %v", d.Sections[3].Items, d.Sections[0].Items)
	}
	if d.URL != "https://www.example.org/korea-view/s" || d.Parent == nil || d.Parent.URL != "https://www.example.org/the-peninsula" {
		t.Errorf("url %q, parent %+v", d.URL, d.Parent)
	}
	if d.AboutHTML == "" || d.AboutHTML == d.About {
		t.Errorf("about_html %q", d.AboutHTML)
	}
}

// TestLicenceOf names known SPDX ids and points unknown ones at SPDX.
func TestLicenceOf(t *testing.T) {
	t.Parallel()
	if l := LicenceOf(""); l != nil {
		t.Errorf("no licence: %+v", l)
	}
	if l := LicenceOf("CC-BY-4.0"); *l != (Licence{"CC-BY-4.0", "Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"}) {
		t.Errorf("CC-BY-4.0: %+v", l)
	}
	if l := LicenceOf("LicenseRef-Agency"); *l != (Licence{"LicenseRef-Agency", "LicenseRef-Agency", "https://spdx.org/licenses/LicenseRef-Agency.html"}) {
		t.Errorf("unknown: %+v", l)
	}
}
