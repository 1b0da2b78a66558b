package media

// Test images built in code, exported to the media_test package: the
// metadata a camera or a phone writes (EXIF with orientation and a GPS
// position, XMP, comments, text chunks), a colour profile, and
// decompression bombs.

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// EXIF is little-endian EXIF TIFF data with an orientation and a GPS
// position (48° 51′ 29.64″ N).
func EXIF(orientation int) []byte {
	le := binary.LittleEndian
	t := []byte("II*\x00\x08\x00\x00\x00")
	entry := func(tag, typ uint16, count, value uint32) {
		t = le.AppendUint16(t, tag)
		t = le.AppendUint16(t, typ)
		t = le.AppendUint32(t, count)
		t = le.AppendUint32(t, value)
	}
	t = le.AppendUint16(t, 2) // IFD0 at 8
	entry(0x0112, 3, 1, uint32(orientation))
	entry(0x8825, 4, 1, 38) // the GPS IFD
	t = le.AppendUint32(t, 0)
	t = le.AppendUint16(t, 2) // GPS IFD at 38
	entry(0x0001, 2, 2, uint32('N'))
	entry(0x0002, 5, 3, 68)
	t = le.AppendUint32(t, 0)
	for _, r := range [][2]uint32{{48, 1}, {51, 1}, {2964, 100}} { // at 68
		t = le.AppendUint32(t, r[0])
		t = le.AppendUint32(t, r[1])
	}
	return t
}

// ICC is the header of a colour profile of the given data colour space
// ("RGB ", "GRAY"); decoders carry it without reading it.
func ICC(space string) []byte {
	p := make([]byte, 132)
	binary.BigEndian.PutUint32(p, 132)
	copy(p[12:], "mntr")
	copy(p[16:], space)
	copy(p[20:], "XYZ ")
	copy(p[36:], "acsp")
	copy(p[80:], "masthead test profile")
	return p
}

// XMP is the namespace every XMP packet names.
const XMP = "http://ns.adobe.com/xap/1.0/"

// Segment is a JPEG marker segment.
func Segment(marker byte, body []byte) []byte {
	return append([]byte{0xFF, marker, byte((len(body) + 2) >> 8), byte(len(body) + 2)}, body...)
}

// CameraSegments are what a camera writes after SOI: EXIF with the
// orientation and a GPS position, XMP, an IPTC block, a comment and an RGB
// colour profile.
func CameraSegments(orientation int) [][]byte {
	return [][]byte{
		Segment(0xE1, append([]byte("Exif\x00\x00"), EXIF(orientation)...)),
		Segment(0xE1, []byte(XMP+"\x00<x:xmpmeta><photoshop:City>Kaesong</photoshop:City></x:xmpmeta>")),
		Segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04 source: a defector in Kaesong")),
		Segment(0xFE, []byte("shot from the safe house")),
		Segment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), ICC("RGB ")...)),
	}
}

// Halves is a w×h image, its left half red and its right half blue.
func Halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// HalvesJPEG is Halves as a JPEG with segs after SOI.
func HalvesJPEG(w, h int, segs ...[]byte) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Halves(w, h), &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	out := append([]byte(nil), buf.Bytes()[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, buf.Bytes()[2:]...)
}

// Chunk is a PNG chunk.
func Chunk(typ string, body []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	c = append(append(c, typ...), body...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// ICCPChunk is an iCCP chunk holding ICC(space).
func ICCPChunk(space string) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(ICC(space))
	zw.Close()
	return Chunk("iCCP", append([]byte("test\x00\x00"), z.Bytes()...))
}

// HalvesPNG is Halves as a PNG with chunks after IHDR.
func HalvesPNG(w, h int, chunks ...[]byte) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Halves(w, h)); err != nil {
		panic(err)
	}
	return InsertChunks(buf.Bytes(), chunks...)
}

// InsertChunks puts chunks after a PNG's IHDR.
func InsertChunks(p []byte, chunks ...[]byte) []byte {
	const afterIHDR = 8 + 25
	out := append([]byte(nil), p[:afterIHDR]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[afterIHDR:]...)
}

// ZeroPNG is a w×h PNG of the given colour type and depth whose pixels
// are all zero: a few hundred kilobytes however large it decodes.
func ZeroPNG(w, h int, colour byte, depth int) []byte {
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colour]
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, byte(depth), colour, 0, 0, 0)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	row := make([]byte, 1+(w*channels*depth+7)/8)
	for range h {
		zw.Write(row)
	}
	zw.Close()
	out := []byte(pngSignature)
	out = append(out, Chunk("IHDR", ihdr)...)
	out = append(out, Chunk("IDAT", z.Bytes())...)
	return append(out, Chunk("IEND", nil)...)
}

// GIFFrame is one frame of HandGIF: its place, size and palette indices
// (nil: all zero).
type GIFFrame struct {
	Left, Top, W, H int
	Pix             []byte
}

// HandGIF writes a GIF the way a hostile encoder may: a logical screen of
// sw×sh with a two-colour global palette, the extra blocks, then frames
// wherever they say.
func HandGIF(sw, sh int, extra [][]byte, frames ...GIFFrame) []byte {
	le := binary.LittleEndian
	g := []byte("GIF89a")
	g = le.AppendUint16(g, uint16(sw))
	g = le.AppendUint16(g, uint16(sh))
	g = append(g, 0x80, 0, 0, 0, 0, 0, 255, 255, 255) // a global table of 2: black, white
	for _, e := range extra {
		g = append(g, e...)
	}
	for _, f := range frames {
		g = append(g, 0x2C)
		for _, v := range []int{f.Left, f.Top, f.W, f.H} {
			g = le.AppendUint16(g, uint16(v))
		}
		g = append(g, 0, 2) // no local table; LZW of 2-bit literals (0-3)
		pix := f.Pix
		if pix == nil {
			pix = make([]byte, f.W*f.H)
		}
		var data bytes.Buffer
		lw := lzw.NewWriter(&data, lzw.LSB, 2)
		lw.Write(pix)
		lw.Close()
		g = append(g, SubBlocks(data.Bytes())...)
	}
	return append(g, 0x3B)
}

// SubBlocks packs data in GIF sub-blocks with their terminator.
func SubBlocks(data []byte) []byte {
	var out []byte
	for len(data) > 0 {
		n := min(len(data), 255)
		out = append(append(out, byte(n)), data[:n]...)
		data = data[n:]
	}
	return append(out, 0)
}

// GIFExtension is an extension block of the given label.
func GIFExtension(label byte, data ...[]byte) []byte {
	out := []byte{0x21, label}
	for _, d := range data {
		out = append(append(out, byte(len(d))), d...)
	}
	return append(out, 0)
}

// GIFWithScreen is a Go-encoded GIF of a w×h frame whose logical screen
// is then made sw×sh.
func GIFWithScreen(w, h, sw, sh int) []byte {
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	b := buf.Bytes()
	binary.LittleEndian.PutUint16(b[6:], uint16(sw))
	binary.LittleEndian.PutUint16(b[8:], uint16(sh))
	return b
}
