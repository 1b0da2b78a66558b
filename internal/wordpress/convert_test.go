package wordpress

import (
	"strings"
	"testing"
)

// TestConvert: classic and block HTML become the Markdown a person would
// write, shortcodes stay readable, and nothing that runs survives.
func TestConvert(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		shortcodes     []string
	}{
		{"classic paragraphs and breaks", "One *star*\n\nTwo <b>bold </b>words\nnext line", "One \\*star\\*\n\nTwo **bold** words\\\nnext line\n", nil},
		{"blocks", "<!-- wp:paragraph -->\n<p>Two <em>roads</em>,<br>And one</p>\n<!-- /wp:paragraph -->", "Two *roads*,\\\nAnd one\n", nil},
		{"lists", "<ul><li>one</li><li>two<ul><li>inner</li></ul></li></ul><ol><li>a</li><li>b</li></ol>", "- one\n- two\n  - inner\n\n1. a\n2. b\n", nil},
		{"quote", "<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2\n", nil},
		{"caption", `[caption id="a" width="300"]<img src="https://x.example/wp-content/uploads/a.jpg" alt="A" /> The caption[/caption]`,
			"![A](https://x.example/wp-content/uploads/a.jpg)\n\n*The caption*\n", nil},
		{"shortcodes", `[gallery ids="1,2"] and [embed]https://v.example/1[/embed]`, "\\[gallery ids=\"1,2\"\\] and \\[embed\\]https://v.example/1\\[/embed\\]\n", []string{"gallery", "embed"}},
		{"table and code", "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table><pre>x := 1\n  y</pre>",
			"| a | b |\n| --- | --- |\n| 1 | 2 |\n\n```\nx := 1\n  y\n```\n", nil},
		{"hostile", `<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p><script>alert(2)</script><iframe src="https://e.example"></iframe>`, "Hi there\n", nil},
		{"heading and link", `<h2>Head <a href="https://a.example/p">link</a></h2>`, "## Head [link](https://a.example/p)\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Convert(c.in, nil)
			if got.Markdown != c.want {
				t.Errorf("Convert(%q)\n got %q\nwant %q", c.in, got.Markdown, c.want)
			}
			if strings.Join(got.Shortcodes, ",") != strings.Join(c.shortcodes, ",") {
				t.Errorf("shortcodes %v, want %v", got.Shortcodes, c.shortcodes)
			}
		})
	}
}

// TestConvertRewritesImages: an image of the old site gets Masthead's URL.
func TestConvertRewritesImages(t *testing.T) {
	t.Parallel()
	got := Convert(`<p><img src="https://old.example/wp-content/uploads/2020/01/a-300x200.jpg" alt="A"></p>`, func(src string) string {
		if strings.HasSuffix(src, "a-300x200.jpg") {
			return "https://new.example/media/abc"
		}
		return ""
	})
	if got.Markdown != "![A](https://new.example/media/abc)\n" {
		t.Errorf("got %q", got.Markdown)
	}
}
