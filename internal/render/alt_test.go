package render

import (
	"net/url"
	"testing"
)

func TestImagesWithoutAlt(t *testing.T) {
	base, _ := url.Parse("https://example.org")
	r := New(base)
	cases := []struct {
		name, in string
		want     int
	}{
		{"no image", "Just **text**.", 0},
		{"markdown with alt", "![Seoul at night](/media/a)", 0},
		{"markdown empty alt", "Look: ![](/media/a)", 1},
		{"markdown blank alt", "![  ](/media/a)", 1},
		{"markdown emphasised alt", "![*Seoul*](/media/a)", 0},
		{"two, one without", "![a](/x) and ![](/y)", 1},
		{"inline html without alt", `Here <img src="/x.png"> it is`, 1},
		{"inline html with alt", `Here <img src="/x.png" alt="A map"> it is`, 0},
		{"html block empty alt", "<div>\n<img src=\"/x.png\" alt=\"\">\n</div>", 1},
		{"self-closing with alt", `<img src="/x.png" alt="A map" />`, 0},
		{"in a code span", "`![](/x)`", 0},
		{"in a code block", "    ![](/x)\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.ImagesWithoutAlt(c.in); got != c.want {
				t.Errorf("ImagesWithoutAlt(%q) = %d, want %d", c.in, got, c.want)
			}
		})
	}
}
