package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestEXIFOrientation(t *testing.T) {
	t.Parallel()
	for o := 1; o <= 8; o++ {
		if got := exifOrientation(EXIF(o)); got != o {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	// Big-endian, as many cameras write it.
	be := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	if got := exifOrientation(be); got != 6 {
		t.Errorf("big-endian orientation 6 read as %d", got)
	}
	for _, bad := range [][]byte{nil, []byte("II*\x00\xff\xff\xff\xff"), EXIF(9), be[:14]} {
		if got := exifOrientation(bad); got != 1 {
			t.Errorf("%q read as %d, want 1", bad, got)
		}
	}
}

// TestOrient checks every EXIF orientation on a 3×2 image, for each pixel
// format the decoders return.
func TestOrient(t *testing.T) {
	t.Parallel()
	// a b c
	// d e f
	want := map[int][]string{
		1: {"abc", "def"}, 2: {"cba", "fed"}, 3: {"fed", "cba"}, 4: {"def", "abc"},
		5: {"ad", "be", "cf"}, 6: {"da", "eb", "fc"}, 7: {"fc", "eb", "da"}, 8: {"cf", "be", "ad"},
	}
	r := image.Rect(0, 0, 3, 2)
	gray := &image.Gray{Pix: []byte("abcdef"), Stride: 3, Rect: r}
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	copy(ycc.Y, "abcdef")
	pal := &image.Paletted{Pix: []byte("abcdef"), Stride: 3, Rect: r, Palette: color.Palette{color.Black}}
	g16 := image.NewGray16(r)
	for i, c := range "abcdef" {
		g16.Pix[2*i+1] = byte(c)
	}
	for o, rows := range want {
		for name, img := range map[string]image.Image{"gray": gray, "ycbcr": ycc, "paletted": pal, "gray16": g16} {
			got := orient(img, o)
			var s []string
			for y := range got.Bounds().Dy() {
				var row []byte
				for x := range got.Bounds().Dx() {
					switch m := got.(type) {
					case *image.Gray:
						row = append(row, m.GrayAt(x, y).Y)
					case *image.YCbCr:
						row = append(row, m.YCbCrAt(x, y).Y)
					case *image.Paletted:
						row = append(row, m.ColorIndexAt(x, y))
					case *image.Gray16:
						row = append(row, byte(m.Gray16At(x, y).Y))
					}
				}
				s = append(s, string(row))
			}
			if !slices.Equal(s, rows) {
				t.Errorf("%s orientation %d: %q, want %q", name, o, s, rows)
			}
		}
	}
}

// pngOf writes a grey PNG by hand, interlaced or not, with the rows the
// passes have (less or more by extra).
func pngOf(t *testing.T, w, h int, interlace bool, extraRows int, filter byte) []byte {
	t.Helper()
	p := &pngFile{w: w, h: h, depth: 8, colour: 0, interlace: interlace}
	var raw []byte
	passes := p.passes()
	for i, pass := range passes {
		rows := pass.Y
		if i == len(passes)-1 {
			rows += extraRows
		}
		for y := range rows {
			raw = append(raw, filter)
			for x := range pass.X {
				raw = append(raw, byte(x*7+y*3))
			}
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	il := byte(0)
	if interlace {
		il = 1
	}
	ihdr = append(ihdr, 8, 0, 0, 0, il)
	out := []byte(pngSignature)
	out = append(out, Chunk("IHDR", ihdr)...)
	out = append(out, Chunk("IDAT", z.Bytes())...)
	return append(out, Chunk("IEND", nil)...)
}

// TestPNGCheckAgreesWithGo streams the pixel data and must accept what
// Go's decoder accepts and refuse what it refuses.
func TestPNGCheckAgreesWithGo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		data      []byte
		decodable bool
	}{
		{"plain", pngOf(t, 13, 7, false, 0, 0), true},
		{"interlaced", pngOf(t, 13, 7, true, 0, 0), true},
		{"interlaced, one pixel", pngOf(t, 1, 1, true, 0, 0), true},
		{"a row short", pngOf(t, 13, 7, false, -1, 0), false},
		{"interlaced, a row short", pngOf(t, 13, 7, true, -1, 0), false},
		{"a row too many", pngOf(t, 13, 7, false, 1, 0), false},
		{"a bad filter", pngOf(t, 13, 7, false, 0, 9), false},
		{"Go-encoded RGB", HalvesPNG(9, 4), true},
		{"16-bit RGBA", ZeroPNG(9, 4, 6, 16), true},
		{"2-bit grey", ZeroPNG(9, 4, 0, 2), true},
	} {
		_, goErr := png.Decode(bytes.NewReader(tc.data))
		if (goErr == nil) != tc.decodable {
			t.Fatalf("%s: Go's decoder says %v", tc.name, goErr)
		}
		p, err := parsePNG(tc.data)
		if err == nil {
			err = p.check(context.Background(), nil)
		}
		if (err == nil) != tc.decodable {
			t.Errorf("%s: check says %v, Go's decoder %v", tc.name, err, goErr)
		}
	}
	good := pngOf(t, 13, 7, false, 0, 0)
	bad := slices.Clone(good)
	bad[len(bad)-20] ^= 1 // in the IDAT: its CRC no longer holds
	for name, data := range map[string][]byte{"bad CRC": bad, "no IEND": good[:len(good)-12], "cut": good[:40]} {
		if _, err := parsePNG(data); !errors.Is(err, errPNG) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPNGCost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		colour byte
		depth  int
		trns   bool
		bpp    int64
	}{{0, 1, false, 1}, {0, 8, false, 1}, {0, 16, false, 2}, {0, 8, true, 4}, {0, 16, true, 8},
		{2, 8, false, 4}, {2, 16, false, 8}, {3, 8, false, 1}, {4, 16, false, 8}, {6, 8, false, 4}, {6, 16, false, 8}} {
		p := &pngFile{w: 10, h: 10, colour: tc.colour, depth: tc.depth, trns: tc.trns}
		if got := p.cost(false); got != 100*tc.bpp {
			t.Errorf("colour %d depth %d tRNS %v: %d bytes, want %d", tc.colour, tc.depth, tc.trns, got, 100*tc.bpp)
		}
		if got := p.cost(true); got != 200*tc.bpp {
			t.Errorf("colour %d depth %d turned: %d", tc.colour, tc.depth, got)
		}
	}
}

func TestPNGStrip(t *testing.T) {
	t.Parallel()
	clean := HalvesPNG(8, 6, ICCPChunk("RGB "))
	dirty := InsertChunks(clean, Chunk("tEXt", []byte("GPS\x0037.97N 126.55E")), Chunk("eXIf", EXIF(1)),
		Chunk("tIME", []byte{7, 234, 4, 14, 9, 30, 0}), Chunk("prVt", []byte("private")))
	p, err := parsePNG(append(dirty, "trailing bytes"...))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.strip(); !bytes.Equal(got, clean) {
		t.Errorf("stripped:\n%q\nwant\n%q", got, clean)
	}
}

func TestJPEGWalk(t *testing.T) {
	t.Parallel()
	thumb := Segment(0xE0, append([]byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x02\x01"), make([]byte, 6)...)) // a 2×1 thumbnail
	clean := HalvesJPEG(40, 30, Segment(0xE0, []byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00")), CameraSegments(1)[4], Segment(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01")))
	segs := append([][]byte{thumb}, CameraSegments(6)...)
	dirty := HalvesJPEG(40, 30, append(segs, Segment(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01")))...)
	j, err := parseJPEG(append(dirty, "after the end: an MPF second image"...))
	if err != nil {
		t.Fatal(err)
	}
	if j.orientation() != 6 || j.w != 40 || j.h != 30 || j.comps != 3 || j.progressive {
		t.Errorf("walked %+v", j)
	}
	if got := j.strip(); !bytes.Equal(got, clean) {
		t.Errorf("stripped %d bytes, want %d", len(got), len(clean))
	}
	if err := j.check(context.Background(), newDecoder(1<<20)); err != nil {
		t.Error(err)
	}
	// Stray bytes between segments are skipped, as Go's decoder skips them.
	stray := append(append([]byte{0xFF, 0xD8}, "stray"...), dirty[2:]...)
	if j, err = parseJPEG(stray); err != nil || !bytes.Equal(j.strip(), clean) {
		t.Errorf("stray bytes: %v", err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(stray)); err != nil {
		t.Errorf("Go's decoder: %v", err)
	}
	for name, data := range map[string][]byte{"cut in the scan": dirty[:len(dirty)-100], "no end marker": dirty[:len(dirty)-2], "not JPEG": []byte("\xff\xd8\xffnope")} {
		if _, err := parseJPEG(data); !errors.Is(err, errJPEG) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestJPEGCost follows Go's decoder: 4:2:0 holds 1.5 bytes a pixel, and a
// progressive image four more a coefficient.
func TestJPEGCost(t *testing.T) {
	t.Parallel()
	base := HalvesJPEG(64, 48)
	j, err := parseJPEG(base)
	if err != nil {
		t.Fatal(err)
	}
	if got := j.cost(false); got != 64*48*3/2 {
		t.Errorf("baseline cost %d", got)
	}
	if got := j.cost(true); got != 64*48*3/2+64*48*3 {
		t.Errorf("turned cost %d", got)
	}
	prog := bytes.Replace(base, []byte{0xFF, 0xC0}, []byte{0xFF, 0xC2}, 1)
	if j, err = parseJPEG(prog); err != nil || !j.progressive || j.cost(false) != 5*64*48*3/2 {
		t.Errorf("progressive: %v %+v", err, j)
	}
}

func TestGIFFramesOverTheScreen(t *testing.T) {
	t.Parallel()
	data := HandGIF(10, 10, nil, GIFFrame{W: 4, H: 4}, GIFFrame{Left: 20, Top: 5, W: 300, H: 200})
	if _, err := gif.DecodeAll(bytes.NewReader(data)); err == nil {
		t.Fatal("Go's decoder took a frame larger than the screen")
	}
	g, err := parseGIF(data)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := g.size(); w != 320 || h != 205 || g.cost(false) != 16+60000 {
		t.Errorf("size %d×%d, cost %d", w, h, g.cost(false))
	}
	if err := g.check(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	all, err := gif.DecodeAll(bytes.NewReader(g.strip()))
	if err != nil || all.Config.Width != 320 || all.Config.Height != 205 || len(all.Image) != 2 {
		t.Errorf("stripped: %v", err)
	}
}

func TestGIFCheck(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		data []byte
		ok   bool
	}{
		"fine":              {HandGIF(2, 2, nil, GIFFrame{W: 2, H: 2, Pix: []byte{0, 1, 1, 0}}), true},
		"a colour too many": {HandGIF(2, 2, nil, GIFFrame{W: 2, H: 2, Pix: []byte{0, 1, 1, 2}}), false},
		"too few pixels":    {HandGIF(2, 2, nil, GIFFrame{W: 2, H: 2, Pix: []byte{0, 1, 1}}), false},
		"too many pixels":   {HandGIF(2, 2, nil, GIFFrame{W: 2, H: 2, Pix: []byte{0, 1, 1, 0, 0, 1}}), false},
		"a transparent index past the palette": {HandGIF(2, 2, [][]byte{{0x21, 0xF9, 4, 1, 0, 0, 3, 0}},
			GIFFrame{W: 2, H: 2, Pix: []byte{0, 1, 1, 3}}), true},
		"an unknown extension": {HandGIF(2, 2, [][]byte{GIFExtension(0x77, []byte("x"))}, GIFFrame{W: 2, H: 2}), false},
	} {
		_, goErr := gif.DecodeAll(bytes.NewReader(tc.data))
		g, err := parseGIF(tc.data)
		if err == nil {
			err = g.check(context.Background(), nil)
		}
		if (err == nil) != tc.ok || (goErr == nil) != tc.ok {
			t.Errorf("%s: check says %v, Go's decoder %v", name, err, goErr)
		}
	}
	whole := HandGIF(2, 2, nil, GIFFrame{W: 2, H: 2})
	for _, cut := range []int{5, 20, len(whole) - 1} {
		if _, err := parseGIF(whole[:cut]); !errors.Is(err, errGIF) {
			t.Errorf("cut at %d: %v", cut, err)
		}
	}
}

func TestGIFStrip(t *testing.T) {
	t.Parallel()
	loop := GIFExtension(0xFF, []byte("NETSCAPE2.0"), []byte{1, 0, 0})
	gce := []byte{0x21, 0xF9, 4, 0, 10, 0, 0, 0}
	frame := GIFFrame{W: 2, H: 2}
	clean := HandGIF(2, 2, [][]byte{loop, gce}, frame)
	dirty := HandGIF(2, 2, [][]byte{GIFExtension(0xFE, []byte("shot in Kaesong")), loop,
		GIFExtension(0xFF, []byte("XMP DataXMP"), []byte("<x:xmpmeta/>")), gce}, frame)
	g, err := parseGIF(append(dirty, "after the trailer"...))
	if err != nil {
		t.Fatal(err)
	}
	if got := g.strip(); !bytes.Equal(got, clean) {
		t.Errorf("stripped:\n%q\nwant\n%q", got, clean)
	}
}

// TestDecoderBudget: a decode waits until the budget has room; one that
// cannot wait gives up with its context.
func TestDecoderBudget(t *testing.T) {
	d := newDecoder(100)
	var inside, most atomic.Int32
	work := func() error {
		n := inside.Add(1)
		if n > most.Load() {
			most.Store(n)
		}
		time.Sleep(20 * time.Millisecond)
		inside.Add(-1)
		return nil
	}
	done := make(chan error, 3)
	for range 3 {
		go func() { done <- d.do(context.Background(), 60, work) }()
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if most.Load() != 1 {
		t.Errorf("%d decodes of 60 ran at once within 100", most.Load())
	}
	hold := make(chan struct{})
	go d.do(context.Background(), 100, func() error { <-hold; return nil })
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := d.do(ctx, 1, work); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting on a full budget: %v", err)
	}
	close(hold)
}

func TestJPEGUpright(t *testing.T) {
	t.Parallel()
	j, err := parseJPEG(HalvesJPEG(40, 30, CameraSegments(6)...))
	if err != nil {
		t.Fatal(err)
	}
	out, err := j.upright(context.Background(), newDecoder(1<<20), 6)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil || img.Bounds() != image.Rect(0, 0, 30, 40) {
		t.Fatalf("upright: %v %v", err, img.Bounds())
	}
	if !bytes.Contains(out, ICC("RGB ")) || bytes.Contains(out, []byte("Exif")) {
		t.Error("the profile went or the EXIF stayed")
	}
	// A CMYK profile does not fit the YCbCr the encoder writes.
	cmyk := Segment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), ICC("CMYK")...))
	if j, err = parseJPEG(HalvesJPEG(40, 30, cmyk)); err != nil {
		t.Fatal(err)
	}
	if out, err = j.upright(context.Background(), newDecoder(1<<20), 6); err != nil || bytes.Contains(out, []byte("ICC_PROFILE")) {
		t.Errorf("a CMYK profile on YCbCr: %v", err)
	}
}
