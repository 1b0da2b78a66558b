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
