package media_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	_ "image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/media"
)

// pngOfImage encodes img as a PNG.
func pngOfImage(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// headerOnlyPNG is a PNG of a signature, an IHDR claiming w×h pixels
// (8-bit RGBA) with a valid CRC, and IEND: no pixels at all, so that
// anything that tried to decode it would fail otherwise than on its size.
func headerOnlyPNG(w, h uint32) []byte {
	chunk := func(typ string, body []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		c = append(append(c, typ...), body...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
}

// widthsOf lists the width variants' widths, and checks each keeps the
// original's aspect.
func widthsOf(t *testing.T, a media.Asset) []int {
	t.Helper()
	var ws []int
	for _, v := range a.Variants {
		if v.Kind != media.KindWidth {
			continue
		}
		if want := (a.Height*v.Width + a.Width/2) / a.Width; v.Height != want {
			t.Errorf("variant %d wide is %d high, want %d (the aspect of %d×%d)", v.Width, v.Height, want, a.Width, a.Height)
		}
		ws = append(ws, v.Width)
	}
	return ws
}

// decodeAt decodes an image and returns its colour at (x, y).
func decodeAt(t *testing.T, data []byte, x, y int) (image.Image, color.RGBA) {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode a variant: %v", err)
	}
	r, g, b, a := img.At(x, y).RGBA()
	return img, color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// isRed and isBlue tell Halves' two colours apart, after JPEG and scaling.
func isRed(c color.RGBA) bool  { return c.R > 150 && c.B < 100 }
func isBlue(c color.RGBA) bool { return c.B > 150 && c.R < 100 }

// TestVariantWidths: an upload gets a variant at each fixed width below
// its own, never one at or above it, each keeping the aspect, as JPEG for
// an opaque image and PNG for one with transparency, and a social crop of
// 1200×630 (or, for a smaller image, the largest such part, not enlarged).
func TestVariantWidths(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		for _, c := range []struct {
			w, h   int
			widths []int
			social [2]int
		}{
			{1700, 900, []int{320, 640, 1024, 1600}, [2]int{1200, 630}},
			{1024, 700, []int{320, 640}, [2]int{1024, 537}},
			{320, 200, nil, [2]int{320, 168}},
		} {
			var a media.Asset
			upload(t, n.Assistant, "photo.jpg", media.HalvesJPEG(c.w, c.h), nil).Want(http.StatusCreated).Decode(&a)
			if got := widthsOf(t, a); fmt.Sprint(got) != fmt.Sprint(c.widths) {
				t.Errorf("%d×%d: widths %v, want %v", c.w, c.h, got, c.widths)
			}
			s, ok := a.Social()
			if !ok || s.Width != c.social[0] || s.Height != c.social[1] {
				t.Errorf("%d×%d: social crop %+v, want %v", c.w, c.h, s, c.social)
			}
			for _, v := range a.Variants {
				body := n.Assistant.Do("GET", "/api/v1/media/"+a.ID+"/file/"+v.SHA256, nil).Want(http.StatusOK).Body
				img, _ := decodeAt(t, body, 0, 0)
				if v.MIME != "image/jpeg" || img.Bounds().Dx() != v.Width || img.Bounds().Dy() != v.Height || hashHex(body) != v.SHA256 {
					t.Errorf("%d×%d: variant %+v holds a %v image of %d bytes", c.w, c.h, v, img.Bounds(), len(body))
				}
			}
		}
		// Transparency stays: a PNG with alpha gets PNG variants.
		clear := image.NewNRGBA(image.Rect(0, 0, 700, 400))
		clear.Set(10, 10, color.NRGBA{255, 0, 0, 255})
		var a media.Asset
		upload(t, n.Assistant, "logo.png", pngOfImage(t, clear), nil).Want(http.StatusCreated).Decode(&a)
		for _, v := range a.Variants {
			if v.MIME != "image/png" {
				t.Errorf("a variant of a transparent PNG is %s", v.MIME)
			}
		}
		if got := widthsOf(t, a); fmt.Sprint(got) != "[320 640]" {
			t.Errorf("700 wide: widths %v", got)
		}
	})
}

// TestVariantsUpright: a photo stored turned a quarter (EXIF orientation
// 6) has upright variants, whether its metadata is stripped (the original
// turned) or kept (the original as shot, with its orientation tag).
func TestVariantsUpright(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		photo := media.HalvesJPEG(800, 400, media.CameraSegments(6)...) // red left, blue right, as stored
		for _, keep := range []string{"false", "true"} {
			var a media.Asset
			upload(t, n.Editor, "phone.jpg", photo, map[string]string{"keep_metadata": keep}).Want(http.StatusCreated).Decode(&a)
			if a.Width != 400 || a.Height != 800 || fmt.Sprint(widthsOf(t, a)) != "[320]" {
				t.Fatalf("keep_metadata=%s: %d×%d with variants %+v", keep, a.Width, a.Height, a.Variants)
			}
			v := a.Variants[0]
			body := n.Editor.Do("GET", "/api/v1/media/"+a.ID+"/file/"+v.SHA256, nil).Want(http.StatusOK).Body
			img, top := decodeAt(t, body, 160, 100)
			_, bottom := decodeAt(t, body, 160, 540)
			// Turned clockwise, the stored left half (red) is on top.
			if img.Bounds().Dx() != 320 || img.Bounds().Dy() != 640 || !isRed(top) || !isBlue(bottom) {
				t.Errorf("keep_metadata=%s: variant %v, top %v, bottom %v; want 320×640, red above blue", keep, img.Bounds(), top, bottom)
			}
		}
	})
}

// TestHugeHeaderRefused: a tiny PNG whose header claims 30,000×30,000
// pixels is refused by its header, before anything is decoded (it has no
// pixels to decode), and nothing is stored.
func TestHugeHeaderRefused(t *testing.T) {
	t.Parallel()
	bomb := headerOnlyPNG(30_000, 30_000)
	if len(bomb) > 64 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil || cfg.Width != 30_000 {
		t.Fatalf("the crafted header does not read: %+v, %v", cfg, err)
	}
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		for _, f := range [][]byte{bomb, headerOnlyPNG(20_001, 10)} {
			r := upload(t, n.Assistant, "bomb.png", f, nil).Want(http.StatusRequestEntityTooLarge)
			if !strings.Contains(string(r.Body), "at most 20000 pixels a side") {
				t.Errorf("refusal: %s", r.Body)
			}
		}
		if total := n.Assistant.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).JSON()["total"]; total != float64(0) {
			t.Errorf("refused bombs left %v assets", total)
		}
	})
}

// deliveredHero is the hero of a delivered document.
type deliveredHero struct {
	URL      string
	Srcset   string
	Variants []struct {
		URL, Type     string
		Width, Height int
	}
	Social *struct {
		URL, Type     string
		Width, Height int
	}
}

func heroOfDelivered(t *testing.T, n *apptest.Newsroom) deliveredHero {
	t.Helper()
	var d struct{ Hero deliveredHero }
	n.Anonymous.Do("GET", "/delivery/v1/documents/"+apptest.Series+"/seoul-weighs-its-options", nil).Want(http.StatusOK).Decode(&d)
	return d.Hero
}

// TestVariantsServedWhileLive: variants are delivered on the hero (with
// a srcset the reader site uses) and served, like the original, only
// while a live document shows the asset: with Range, ETag/304 and
// immutable caching; an unknown variant of a live asset is not found.
func TestVariantsServedWhileLive(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		var a media.Asset
		upload(t, n.Assistant, "hero.jpg", media.HalvesJPEG(1100, 600), exampleAttribution).Want(http.StatusCreated).Decode(&a)
		anon := n.Anonymous
		for _, v := range a.Variants {
			anon.Do("GET", "/media/"+a.ID+"/"+v.SHA256, nil).Want(http.StatusNotFound)
		}
		doc := publishWithHero(t, n, a.ID)
		h := heroOfDelivered(t, n)
		if len(h.Variants) != 3 || h.Social == nil || h.Social.Width != 1100 {
			t.Fatalf("delivered hero %+v", h)
		}
		for i, v := range append(h.Variants, *h.Social) {
			want := a.Variants[i]
			if v.URL != "http://masthead.test/media/"+a.ID+"/"+want.SHA256 || v.Width != want.Width || v.Type != "image/jpeg" {
				t.Errorf("delivered variant %+v, want %+v", v, want)
			}
			if want.Kind == media.KindWidth && !strings.Contains(h.Srcset, fmt.Sprintf("%s %dw", v.URL, v.Width)) {
				t.Errorf("srcset %q lacks %s", h.Srcset, v.URL)
			}
			path := strings.TrimPrefix(v.URL, "http://masthead.test")
			r := anon.Do("GET", path, nil).Want(http.StatusOK)
			etag := r.Header.Get("ETag")
			if hashHex(r.Body) != want.SHA256 || etag != `"`+want.SHA256+`"` || r.Header.Get("Content-Type") != "image/jpeg" ||
				!strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("variant %s: %d bytes, headers %v", path, len(r.Body), r.Header)
			}
			part := anon.Do("GET", path, nil, "Range", "bytes=2-9").Want(http.StatusPartialContent)
			if !bytes.Equal(part.Body, r.Body[2:10]) {
				t.Errorf("variant %s bytes 2-9: %x", path, part.Body)
			}
			anon.Do("GET", path, nil, "If-None-Match", etag).Want(http.StatusNotModified)
		}
		if !strings.HasSuffix(h.Srcset, h.URL+" 1100w") {
			t.Errorf("srcset %q does not end with the original", h.Srcset)
		}
		anon.Do("GET", "/media/"+a.ID+"/"+strings.Repeat("0", 64), nil).Want(http.StatusNotFound)
		page := anon.Do("GET", "/"+apptest.Series+"/seoul-weighs-its-options", nil).Want(http.StatusOK)
		if !strings.Contains(string(page.Body), `srcset="`+h.Variants[0].URL+` 320w`) ||
			!strings.Contains(string(page.Body), `sizes="`) || !strings.Contains(string(page.Body), `content="`+h.Social.URL+`"`) {
			t.Errorf("the reader site's page lacks srcset, sizes or the social crop:\n%s", page.Body)
		}
		n.Publisher.Do("POST", "/api/v1/documents/"+doc+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		for _, v := range a.Variants {
			anon.Do("GET", "/media/"+a.ID+"/"+v.SHA256, nil).Want(http.StatusNotFound)
		}
	})
}

// TestFocalPoint: an editor's focal point moves the social crop (cut
// again from the original, delivered at a new address, the old one gone)
// and leaves the width variants; bad input is refused and changes nothing.
func TestFocalPoint(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		var a media.Asset
		// Red on the left half, blue on the right: a centred crop shows
		// both, one at the left edge only red, at the right only blue.
		upload(t, n.Assistant, "wide.jpg", media.HalvesJPEG(3000, 700), exampleAttribution).Want(http.StatusCreated).Decode(&a)
		if a.Focal != media.Centre {
			t.Errorf("default focal point %+v", a.Focal)
		}
		publishWithHero(t, n, a.ID)
		crop := func(want media.Asset) (left, right color.RGBA) {
			t.Helper()
			s, _ := want.Social()
			body := n.Anonymous.Do("GET", "/media/"+a.ID+"/"+s.SHA256, nil).Want(http.StatusOK).Body
			_, left = decodeAt(t, body, 20, 300)
			_, right = decodeAt(t, body, 1180, 300)
			return left, right
		}
		if l, r := crop(a); !isRed(l) || !isBlue(r) {
			t.Errorf("centred crop: left %v, right %v", l, r)
		}
		for _, bad := range []any{
			map[string]any{"x": 1.5, "y": 0.5}, map[string]any{"x": -0.1, "y": 0.5}, map[string]any{"x": 0.5},
			"centre", map[string]any{"x": "left", "y": 0.5},
		} {
			n.Editor.Do("PATCH", "/api/v1/media/"+a.ID, map[string]any{"focal": bad, "caption": "changed"}).Want(http.StatusBadRequest)
		}
		var same media.Asset
		n.Editor.Do("GET", "/api/v1/media/"+a.ID, nil).Want(http.StatusOK).Decode(&same)
		if fmt.Sprint(same.Variants) != fmt.Sprint(a.Variants) || same.Focal != a.Focal || same.Caption != a.Caption {
			t.Fatalf("refused focal points changed the asset: %+v", same)
		}
		n.Writer.Do("PATCH", "/api/v1/media/"+a.ID, map[string]any{"focal": map[string]any{"x": 0, "y": 0.5}}).Want(http.StatusForbidden)
		old, _ := a.Social()
		for _, c := range []struct {
			x     float64
			isRed bool
		}{{0, true}, {1, false}} {
			var moved media.Asset
			n.Editor.Do("PATCH", "/api/v1/media/"+a.ID, map[string]any{"focal": map[string]any{"x": c.x, "y": 0.5}}).Want(http.StatusOK).Decode(&moved)
			s, _ := moved.Social()
			if moved.Focal.X != c.x || s.SHA256 == old.SHA256 || fmt.Sprint(widthsOf(t, moved)) != fmt.Sprint(widthsOf(t, a)) {
				t.Errorf("focal x=%v: %+v", c.x, moved)
			}
			if l, r := crop(moved); isRed(l) != c.isRed || isRed(r) != c.isRed {
				t.Errorf("focal x=%v: crop left %v, right %v", c.x, l, r)
			}
			if h := heroOfDelivered(t, n); h.Social == nil || !strings.HasSuffix(h.Social.URL, s.SHA256) {
				t.Errorf("focal x=%v: delivered social crop %+v, want %s", c.x, h.Social, s.SHA256)
			}
			n.Anonymous.Do("GET", "/media/"+a.ID+"/"+old.SHA256, nil).Want(http.StatusNotFound)
			old = s
		}
	})
}
