package media

import (
	"compress/lzw"
	"context"
	"encoding/binary"
	"errors"
	"io"
)

// gifFile is a GIF walked block by block: the frames are measured from
// their own descriptors (a frame may reach past the logical screen, and
// browsers then show it whole) and verified one at a time through the LZW
// decoder without ever holding a frame.
type gifFile struct {
	data             []byte
	screenW, screenH int
	canvasW, canvasH int   // the screen grown to hold every frame
	area             int64 // the frames' pixels, summed: what decoding them all holds
	headerEnd        int   // after the screen descriptor and global colour table
	globalColours    int
	blocks           []gifBlock
}

// gifBlock is one extension, frame or the trailer: data[start:end].
type gifBlock struct {
	start, end int
	keep       bool
	frame      *gifFrame
}

// gifFrame is what verifying a frame needs.
type gifFrame struct {
	w, h     int
	colours  int // palette entries a pixel may name
	litWidth int
	lzwStart int // the first sub-block of LZW data
}

var errGIF = errors.New("is not a readable gif image")

// gifKeptApps are the application extensions that are not metadata: the
// loop count (two spellings) and the colour profile.
var gifKeptApps = map[string]bool{"NETSCAPE2.0": true, "ANIMEXTS1.0": true, "ICCRGBG1012": true}

func parseGIF(data []byte) (*gifFile, error) {
	if len(data) < 13 {
		return nil, errGIF
	}
	g := &gifFile{data: data, screenW: int(le16(data[6:])), screenH: int(le16(data[8:]))}
	g.canvasW, g.canvasH = g.screenW, g.screenH
	pos := 13
	if flags := data[10]; flags&0x80 != 0 {
		g.globalColours = 1 << (flags&7 + 1)
		pos += 3 * g.globalColours
	}
	g.headerEnd = pos
	transparent := -1 // of the graphic control extension before a frame
	for frames := 0; ; {
		if pos >= len(data) {
			return nil, errGIF // ends before its trailer
		}
		b := gifBlock{start: pos}
		var err error
		switch data[pos] {
		case 0x21:
			pos, b.keep, transparent, err = g.extension(pos, transparent)
		case 0x2C:
			b.frame, pos, err = g.frame(pos, transparent)
			b.keep, transparent = true, -1
			frames++
		case 0x3B:
			if frames == 0 {
				return nil, errGIF
			}
			g.blocks = append(g.blocks, gifBlock{start: pos, end: pos + 1, keep: true})
			return g, nil
		default:
			return nil, errGIF
		}
		if err != nil {
			return nil, err
		}
		b.end = pos
		g.blocks = append(g.blocks, b)
	}
}

// extension reads the extension at pos and says whether it is kept; a
// graphic control extension names the transparent index of the next frame.
func (g *gifFile) extension(pos, transparent int) (end int, keep bool, tr int, err error) {
	d := g.data
	if pos+2 > len(d) {
		return 0, false, 0, errGIF
	}
	label := d[pos+1]
	switch label {
	case 0xF9: // graphic control
		if pos+8 > len(d) || d[pos+2] != 4 || d[pos+7] != 0 {
			return 0, false, 0, errGIF
		}
		tr = -1
		if d[pos+3]&1 != 0 {
			tr = int(d[pos+6])
		}
		return pos + 8, true, tr, nil
	case 0x01: // plain text: drawing instructions, not metadata
		keep = true
	case 0xFF: // application: only the loop count and colour profile stay
		if pos+3 > len(d) || pos+3+int(d[pos+2]) > len(d) {
			return 0, false, 0, errGIF
		}
		keep = gifKeptApps[string(d[pos+3:pos+3+int(d[pos+2])])]
	case 0xFE: // comment
	default:
		return 0, false, 0, errGIF
	}
	end, err = skipSubBlocks(d, pos+2)
	return end, keep, transparent, err
}

// frame reads an image descriptor, its colour table and its LZW data, and
// grows the canvas to hold it.
func (g *gifFile) frame(pos, transparent int) (*gifFrame, int, error) {
	d := g.data
	if pos+11 > len(d) {
		return nil, 0, errGIF
	}
	left, top := int(le16(d[pos+1:])), int(le16(d[pos+3:]))
	f := &gifFrame{w: int(le16(d[pos+5:])), h: int(le16(d[pos+7:])), colours: g.globalColours}
	flags := d[pos+9]
	pos += 10
	if flags&0x80 != 0 {
		f.colours = 1 << (flags&7 + 1)
		pos += 3 * f.colours
	}
	if f.colours == 0 || pos >= len(d) {
		return nil, 0, errGIF // no colour table, or cut short
	}
	f.colours = max(f.colours, transparent+1) // as browsers and Go do
	f.litWidth, f.lzwStart = int(d[pos]), pos+1
	if f.litWidth < 2 || f.litWidth > 8 {
		return nil, 0, errGIF
	}
	end, err := skipSubBlocks(d, f.lzwStart)
	if err != nil {
		return nil, 0, err
	}
	g.canvasW, g.canvasH = max(g.canvasW, left+f.w), max(g.canvasH, top+f.h)
	if g.canvasW > 0xFFFF || g.canvasH > 0xFFFF {
		return nil, 0, errGIF // no screen could hold it
	}
	g.area += int64(f.w) * int64(f.h)
	return f, end, nil
}

// skipSubBlocks returns the position after the sub-blocks at pos and their
// terminator.
func skipSubBlocks(d []byte, pos int) (int, error) {
	for {
		if pos >= len(d) {
			return 0, errGIF
		}
		n := int(d[pos])
		pos += 1 + n
		if n == 0 {
			return pos, nil
		}
	}
}

func (g *gifFile) size() (int, int) { return g.canvasW, g.canvasH }
func (g *gifFile) orientation() int { return 1 }
func (g *gifFile) cost(bool) int64  { return g.area }

// check decodes every frame's pixels through LZW into a small buffer: each
// frame must hold exactly its pixels, each naming a colour of its palette.
func (g *gifFile) check(ctx context.Context, _ *decoder) error {
	buf := make([]byte, 4096)
	for _, b := range g.blocks {
		if b.frame == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.frame.check(g.data, buf); err != nil {
			return err
		}
	}
	return nil
}

func (f *gifFrame) check(data, buf []byte) error {
	lr := lzw.NewReader(&subBlockReader{d: data, pos: f.lzwStart}, lzw.LSB, f.litWidth)
	defer lr.Close()
	for left := int64(f.w) * int64(f.h); left > 0; {
		n, err := io.ReadFull(lr, buf[:min(left, int64(len(buf)))])
		if err != nil {
			return errGIF // not enough image data, or a bad code
		}
		for _, p := range buf[:n] {
			if int(p) >= f.colours {
				return errGIF
			}
		}
		left -= int64(n)
	}
	// The data ends here; a missing end code is forgiven, as Go and
	// browsers forgive it.
	if n, err := lr.Read(buf[:1]); n != 0 || (err != io.EOF && err != io.ErrUnexpectedEOF) {
		return errGIF
	}
	return nil
}

// subBlockReader reads the payload of GIF sub-blocks.
type subBlockReader struct {
	d    []byte
	pos  int
	left int // of the current sub-block
}

func (r *subBlockReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for r.left == 0 {
		if r.pos >= len(r.d) {
			return 0, io.ErrUnexpectedEOF
		}
		r.left = int(r.d[r.pos])
		r.pos++
		if r.left == 0 {
			r.pos-- // stay on the terminator
			return 0, io.EOF
		}
	}
	n := copy(p, r.d[r.pos:min(r.pos+r.left, len(r.d))])
	if n == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	r.pos += n
	r.left -= n
	return n, nil
}

// strip drops comments and application data but the loop count and the
// colour profile, and anything after the trailer. The logical screen
// becomes the canvas, so that every frame lies on it (as the format
// requires and Go's decoder checks).
func (g *gifFile) strip() []byte {
	out := append([]byte(nil), g.data[:g.headerEnd]...)
	binary.LittleEndian.PutUint16(out[6:], uint16(g.canvasW))
	binary.LittleEndian.PutUint16(out[8:], uint16(g.canvasH))
	for _, b := range g.blocks {
		if b.keep {
			out = append(out, g.data[b.start:b.end]...)
		}
	}
	return out
}

// upright is never asked of a GIF: it has no orientation.
func (g *gifFile) upright(context.Context, *decoder, int) ([]byte, error) { return g.strip(), nil }

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
