package newsletter

import (
	"testing"

	"github.com/masthead-cms/masthead/internal/render"
)

// TestHeroImage: the mail shows the narrowest variant at least twice its
// 536 pixels wide, at its absolute address, or the original when no
// variant is that wide.
func TestHeroImage(t *testing.T) {
	t.Parallel()
	v := func(w int) render.ImageVariant {
		return render.ImageVariant{URL: "https://masthead.test/media/a/" + string(rune('a'+w/320)), Width: w}
	}
	wide := &render.Hero{URL: "https://masthead.test/media/a", Width: 2400,
		Variants: []render.ImageVariant{v(320), v(640), v(1024), v(1600)}}
	narrow := &render.Hero{URL: "https://masthead.test/media/b", Width: 900,
		Variants: []render.ImageVariant{v(320), v(640)}}
	for _, c := range []struct {
		hero *render.Hero
		want string
	}{{wide, v(1600).URL}, {narrow, narrow.URL}, {nil, ""}} {
		if got := heroImage(c.hero); got != c.want {
			t.Errorf("heroImage(%+v) = %q, want %q", c.hero, got, c.want)
		}
	}
}
