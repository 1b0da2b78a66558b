package render

import (
	"net/url"
	"strings"
	"testing"
)

func TestHTMLIsSanitized(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://example.org")
	r := New(base)
	cases := []struct {
		name, in    string
		must, never []string
	}{
		{"markdown", "**bold** and [kei](https://keia.org)", []string{"<strong>bold</strong>", `rel="nofollow noopener"`, `target="_blank"`}, nil},
		{"script", "hi <script>alert(1)</script>", []string{"hi"}, []string{"<script"}},
		{"event handler", `<img src="x.png" onerror="alert(1)">`, nil, []string{"onerror"}},
		{"javascript url", "[click](javascript:alert(1))", nil, []string{"javascript:"}},
		{"raw html link", `<a href="javascript:alert(1)">x</a>`, nil, []string{"javascript:"}},
		{"local link keeps no target", "[home](/about)", []string{`href="/about"`}, []string{"_blank"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.HTML(c.in)
			for _, m := range c.must {
				if !strings.Contains(got, m) {
					t.Errorf("HTML(%q) = %q; want it to contain %q", c.in, got, m)
				}
			}
			for _, n := range c.never {
				if strings.Contains(got, n) {
					t.Errorf("HTML(%q) = %q; must not contain %q", c.in, got, n)
				}
			}
		})
	}
}

// TestHeroVariants: the hero lists its variants at /media/{id}/{key},
// narrowest first, a srcset of them and the original by width, and its
// social crop; a hero without variants has an empty list, the original
// alone in its srcset and no crop.
func TestHeroVariants(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://masthead.test")
	r := New(base)
	h := r.hero("abc", HeroAsset{Width: 2000, Height: 1000,
		Variants: []HeroVariant{{Key: "k320", MIME: "image/jpeg", Width: 320, Height: 160}, {Key: "k640", MIME: "image/jpeg", Width: 640, Height: 320}},
		Social:   &HeroVariant{Key: "ks", MIME: "image/jpeg", Width: 1200, Height: 630}})
	want := "https://masthead.test/media/abc/k320 320w, https://masthead.test/media/abc/k640 640w, https://masthead.test/media/abc 2000w"
	if h.Srcset != want || len(h.Variants) != 2 || h.Variants[1].URL != "https://masthead.test/media/abc/k640" ||
		h.Variants[1].Type != "image/jpeg" || h.Social == nil || h.Social.URL != "https://masthead.test/media/abc/ks" {
		t.Errorf("hero %+v", h)
	}
	bare := r.hero("abc", HeroAsset{Width: 300, Height: 200})
	if bare.Variants == nil || len(bare.Variants) != 0 || bare.Srcset != "https://masthead.test/media/abc 300w" || bare.Social != nil {
		t.Errorf("hero without variants %+v", bare)
	}
}
