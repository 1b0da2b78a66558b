package media

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"io"
)

// pngFile is a PNG walked chunk by chunk. Its pixels are verified by
// inflating the image data into nothing, row by row, so that no image is
// ever held; only turning one upright decodes it whole.
type pngFile struct {
	data      []byte
	chunks    []pngChunk
	w, h      int
	depth     int
	colour    byte // the colour type of IHDR
	interlace bool
	trns      bool
	exif      []byte // the eXIf chunk's TIFF data
}

// pngChunk is data[start:end]: length, type, body and CRC.
type pngChunk struct {
	typ        string
	start, end int
}

func (c pngChunk) body(d []byte) []byte { return d[c.start+8 : c.end-4] }

var errPNG = errors.New("is not a readable png image")

const pngSignature = "\x89PNG\r\n\x1a\n"

// pngKept are the chunks that stay when metadata goes: the image, its
// transparency, colour space and profile, physical size and animation.
// Text, EXIF, times and anything unknown go.
var pngKept = map[string]bool{"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true, "tRNS": true,
	"cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true, "cICP": true, "mDCV": true,
	"cLLI": true, "bKGD": true, "pHYs": true, "acTL": true, "fcTL": true, "fdAT": true}

// pngColour are the chunks that describe colour whatever the pixel
// format: they stay when the image is encoded again.
var pngColour = map[string]bool{"cHRM": true, "gAMA": true, "iCCP": true, "sRGB": true, "cICP": true, "mDCV": true, "cLLI": true}

func parsePNG(data []byte) (*pngFile, error) {
	if !bytes.HasPrefix(data, []byte(pngSignature)) {
		return nil, errPNG
	}
	p := &pngFile{data: data}
	for pos := len(pngSignature); ; {
		if len(data)-pos < 12 {
			return nil, errPNG // ends before IEND
		}
		n := int64(binary.BigEndian.Uint32(data[pos:]))
		if n > int64(len(data)-pos-12) {
			return nil, errPNG
		}
		c := pngChunk{typ: string(data[pos+4 : pos+8]), start: pos, end: pos + 12 + int(n)}
		if crc32.ChecksumIEEE(data[pos+4:c.end-4]) != binary.BigEndian.Uint32(data[c.end-4:]) {
			return nil, errPNG
		}
		if err := p.add(c); err != nil {
			return nil, err
		}
		if c.typ == "IEND" {
			return p, p.complete()
		}
		pos = c.end
	}
}

// add records a chunk, checking the order the decoders insist on.
func (p *pngFile) add(c pngChunk) error {
	first, last := len(p.chunks) == 0, ""
	if !first {
		last = p.chunks[len(p.chunks)-1].typ
	}
	switch body := c.body(p.data); {
	case first != (c.typ == "IHDR"):
		return errPNG
	case c.typ == "IHDR":
		if len(body) != 13 {
			return errPNG
		}
		p.w, p.h = int(binary.BigEndian.Uint32(body)), int(binary.BigEndian.Uint32(body[4:]))
		p.depth, p.colour, p.interlace = int(body[8]), body[9], body[12] == 1
	case c.typ == "IDAT" && last != "IDAT" && p.has("IDAT"):
		return errPNG // image data must be one run of chunks
	case c.typ == "tRNS":
		p.trns = true
	case c.typ == "eXIf" && p.exif == nil:
		p.exif = body
	case c.typ[0]&0x20 == 0 && !pngKept[c.typ]:
		return errPNG // an unknown critical chunk: no browser shows it
	}
	p.chunks = append(p.chunks, c)
	return nil
}

func (p *pngFile) has(typ string) bool {
	for _, c := range p.chunks {
		if c.typ == typ {
			return true
		}
	}
	return false
}

func (p *pngFile) complete() error {
	if !p.has("IDAT") || (p.colour == 3 && !p.has("PLTE")) {
		return errPNG
	}
	return nil
}

func (p *pngFile) size() (int, int) { return p.w, p.h }

func (p *pngFile) orientation() int { return exifOrientation(p.exif) }

// cost is what Go's decoder holds: a pixel is 1 byte if paletted, 1 or 2
// if grey, 4 or 8 otherwise (grey becomes RGBA with a transparent colour),
// and an interlaced image holds its largest pass besides. Turned upright,
// there is a second image of the same kind.
func (p *pngFile) cost(turned bool) int64 {
	var bpp int64
	switch {
	case p.colour == 3:
		bpp = 1
	case p.colour == 0 && !p.trns:
		bpp = max(int64(p.depth)/8, 1)
	case p.depth == 16:
		bpp = 8
	default:
		bpp = 4
	}
	img := int64(p.w) * int64(p.h) * bpp
	n := img
	if p.interlace {
		n += img / 2
	}
	if turned {
		n += img
	}
	return n
}

// check inflates the image data and reads every row's filter byte: the
// data must hold exactly the image's rows and end with a sound checksum.
func (p *pngFile) check(ctx context.Context, _ *decoder) error {
	var idat []io.Reader
	for _, c := range p.chunks {
		if c.typ == "IDAT" {
			idat = append(idat, bytes.NewReader(c.body(p.data)))
		}
	}
	zr, err := zlib.NewReader(io.MultiReader(idat...))
	if err != nil {
		return errPNG
	}
	r := bufio.NewReader(zr)
	for _, pass := range p.passes() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := pngRows(r, pass.X, pass.Y, p.rowBytes(pass.X)); err != nil {
			return err
		}
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return errPNG // more data than rows, or a bad checksum
	}
	return nil
}

func pngRows(r *bufio.Reader, w, h int, rowBytes int) error {
	if w == 0 {
		return nil // an empty pass has no rows at all
	}
	for range h {
		f, err := r.ReadByte()
		if err != nil || f > 4 {
			return errPNG
		}
		if _, err := r.Discard(rowBytes); err != nil {
			return errPNG
		}
	}
	return nil
}

// passes are the sizes of the image's passes: one, or Adam7's seven.
func (p *pngFile) passes() []image.Point {
	if !p.interlace {
		return []image.Point{{p.w, p.h}}
	}
	adam7 := [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	out := make([]image.Point, 0, 7)
	for _, a := range adam7 {
		w, h := (p.w-a[0]+a[2]-1)/a[2], (p.h-a[1]+a[3]-1)/a[3]
		if w > 0 && h > 0 {
			out = append(out, image.Point{w, h})
		}
	}
	return out
}

func (p *pngFile) rowBytes(w int) int {
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[p.colour]
	return (w*channels*p.depth + 7) / 8
}

// strip keeps the chunks of pngKept, in their order.
func (p *pngFile) strip() []byte {
	out := []byte(pngSignature)
	for _, c := range p.chunks {
		if pngKept[c.typ] {
			out = append(out, p.data[c.start:c.end]...)
		}
	}
	return out
}

// upright decodes the image, turns it as its EXIF orientation says and
// encodes it again, losslessly, with its colour chunks and nothing else.
func (p *pngFile) upright(ctx context.Context, d *decoder, o int) ([]byte, error) {
	var buf bytes.Buffer
	err := d.do(ctx, p.cost(true), func() error {
		img, err := png.Decode(bytes.NewReader(p.data))
		if err != nil {
			return errPNG
		}
		return png.Encode(&buf, orient(img, o))
	})
	if err != nil {
		return nil, err
	}
	enc, err := parsePNG(buf.Bytes())
	if err != nil {
		return nil, err
	}
	out := []byte(pngSignature)
	for i, c := range enc.chunks {
		out = append(out, enc.data[c.start:c.end]...)
		if i == 0 { // after IHDR, where colour chunks belong
			for _, k := range p.chunks {
				if pngColour[k.typ] {
					out = append(out, p.data[k.start:k.end]...)
				}
			}
		}
	}
	return out, nil
}
