package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
)

// jpegFile is a JPEG walked segment by segment, through every scan to the
// end marker. Go reads JPEG only by decoding it whole, so checking one
// decodes it, under the decoder's budget.
type jpegFile struct {
	data        []byte
	segs        []jpegSeg
	w, h        int
	comps       int
	blocks      int64 // 8×8 blocks over all components, as the decoder allocates them
	progressive bool
	exif        []byte // the first Exif APP1's TIFF data
}

// jpegSeg is data[start:end]: a marker with its segment and, for a scan,
// the entropy-coded data after it.
type jpegSeg struct {
	marker     byte
	start, end int
}

var errJPEG = errors.New("is not a readable jpeg image")

// maxScans bounds the scans of a progressive JPEG: each one walks the
// whole image, and encoders write about ten.
const maxScans = 256

const (
	app0, app1, app2, app14, com, sos, eoi = 0xE0, 0xE1, 0xE2, 0xEE, 0xFE, 0xDA, 0xD9
)

func parseJPEG(data []byte) (*jpegFile, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, errJPEG
	}
	j := &jpegFile{data: data}
	for pos, scans := 2, 0; ; {
		// Bytes that are not a marker are skipped, as libjpeg and Go skip
		// them (and strip drops them); so are fill bytes before one.
		for pos < len(data) && data[pos] != 0xFF {
			pos++
		}
		for pos < len(data) && data[pos] == 0xFF {
			pos++
		}
		if pos >= len(data) {
			return nil, errJPEG
		}
		seg := jpegSeg{marker: data[pos], start: pos - 1}
		pos++
		switch m := seg.marker; {
		case m == eoi:
			seg.end = pos
			j.segs = append(j.segs, seg)
			if j.comps == 0 || scans == 0 {
				return nil, errJPEG
			}
			return j, nil
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no length
		case m == 0x00 || m == 0xD8:
			return nil, errJPEG
		default:
			if pos+2 > len(data) || int(binary.BigEndian.Uint16(data[pos:])) < 2 || pos+int(binary.BigEndian.Uint16(data[pos:])) > len(data) {
				return nil, errJPEG
			}
			body := data[pos+2 : pos+int(binary.BigEndian.Uint16(data[pos:]))]
			pos += 2 + len(body)
			if err := j.segment(m, body); err != nil {
				return nil, err
			}
			if m == sos {
				if scans++; scans > maxScans {
					return nil, errJPEG
				}
				if pos = scanEnd(data, pos); pos < 0 {
					return nil, errJPEG
				}
			}
		}
		seg.end = pos
		j.segs = append(j.segs, seg)
	}
}

// segment reads what matters of one segment: the frame's size and
// sampling, and the orientation.
func (j *jpegFile) segment(m byte, body []byte) error {
	switch {
	case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC: // a start of frame
		if j.comps != 0 {
			return errJPEG // one frame only
		}
		return j.frame(m, body)
	case m == sos && j.comps == 0:
		return errJPEG
	case m == app1 && j.exif == nil && bytes.HasPrefix(body, []byte("Exif\x00\x00")):
		j.exif = body[6:]
	}
	return nil
}

func (j *jpegFile) frame(m byte, b []byte) error {
	if len(b) < 6 {
		return errJPEG
	}
	j.h, j.w, j.comps = int(binary.BigEndian.Uint16(b[1:])), int(binary.BigEndian.Uint16(b[3:])), int(b[5])
	j.progressive = m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE
	if j.comps == 0 || len(b) < 6+3*j.comps {
		return errJPEG
	}
	hmax, vmax := 1, 1
	for i := range j.comps {
		hv := b[6+3*i+1]
		hmax, vmax = max(hmax, int(hv>>4)), max(vmax, int(hv&15))
	}
	mcuX, mcuY := (j.w+8*hmax-1)/(8*hmax), (j.h+8*vmax-1)/(8*vmax)
	for i := range j.comps {
		hv := b[6+3*i+1]
		j.blocks += int64(mcuX*int(hv>>4)) * int64(mcuY*int(hv&15))
	}
	return nil
}

// scanEnd returns the position of the marker after the entropy-coded data
// at pos, or -1 if the file ends first.
func scanEnd(d []byte, pos int) int {
	for {
		i := bytes.IndexByte(d[pos:], 0xFF)
		if i < 0 || pos+i+1 >= len(d) {
			return -1
		}
		pos += i
		switch n := d[pos+1]; {
		case n == 0x00 || (n >= 0xD0 && n <= 0xD7): // stuffing, restart
			pos += 2
		case n == 0xFF: // fill before a marker
			pos++
		default:
			return pos
		}
	}
}

func (j *jpegFile) size() (int, int) { return j.w, j.h }

func (j *jpegFile) orientation() int { return exifOrientation(j.exif) }

// cost is what Go's decoder holds: a byte per sample of every block, four
// more per coefficient kept between the scans of a progressive image, and
// a CMYK image besides for four components. Turned upright, a full-size
// copy of every component.
func (j *jpegFile) cost(turned bool) int64 {
	n := 64 * j.blocks
	if j.progressive {
		n += 4 * 64 * j.blocks
	}
	px := int64(j.w) * int64(j.h)
	if j.comps == 4 {
		n += 4 * px
	}
	if turned {
		n += px * int64(j.comps)
	}
	return n
}

// check decodes the whole image, the only way Go reads a JPEG.
func (j *jpegFile) check(ctx context.Context, d *decoder) error {
	return d.do(ctx, j.cost(false), func() error {
		if _, err := jpeg.Decode(bytes.NewReader(j.data)); err != nil {
			return errJPEG
		}
		return nil
	})
}

// strip keeps the image, the JFIF header without its thumbnail, the
// colour profile and Adobe's colour transform; EXIF, XMP, IPTC, comments,
// other application segments and anything after the end go.
func (j *jpegFile) strip() []byte {
	out := []byte{0xFF, 0xD8}
	for _, s := range j.segs {
		seg := j.data[s.start:s.end]
		switch {
		case s.marker == app0 && bytes.HasPrefix(seg[4:], []byte("JFIF\x00")) && len(seg) >= 18:
			jfif := append([]byte{0xFF, app0, 0, 16}, seg[4:16]...)
			out = append(out, append(jfif, 0, 0)...) // no thumbnail
		case s.marker == app2 && isICC(seg):
			out = append(out, seg...)
		case s.marker == app14 && bytes.HasPrefix(seg[4:], []byte("Adobe")):
			out = append(out, seg...)
		case (s.marker >= app0 && s.marker <= 0xEF) || s.marker == com:
		default:
			out = append(out, seg...)
		}
	}
	return out
}

func isICC(seg []byte) bool { return bytes.HasPrefix(seg[4:], []byte("ICC_PROFILE\x00")) }

// upright decodes the image, turns it as its EXIF orientation says and
// encodes it again (quality 90) with its colour profile if the profile
// still fits: grey stays grey and colour becomes YCbCr, so a CMYK profile
// cannot.
func (j *jpegFile) upright(ctx context.Context, d *decoder, o int) ([]byte, error) {
	var buf bytes.Buffer
	var space string
	err := d.do(ctx, j.cost(true), func() error {
		img, err := jpeg.Decode(bytes.NewReader(j.data))
		if err != nil {
			return errJPEG
		}
		space = "RGB "
		if _, ok := img.(*image.Gray); ok {
			space = "GRAY"
		}
		return jpeg.Encode(&buf, orient(img, o), &jpeg.Options{Quality: 90})
	})
	if err != nil {
		return nil, err
	}
	enc := buf.Bytes()
	out := append([]byte(nil), enc[:2]...)
	if icc := j.icc(); len(icc) > 0 && iccSpace(icc[0]) == space {
		for _, seg := range icc {
			out = append(out, seg...)
		}
	}
	return append(out, enc[2:]...), nil
}

// icc returns the segments of the colour profile, in order.
func (j *jpegFile) icc() [][]byte {
	var out [][]byte
	for _, s := range j.segs {
		if seg := j.data[s.start:s.end]; s.marker == app2 && isICC(seg) {
			out = append(out, seg)
		}
	}
	return out
}

// iccSpace is the data colour space in a profile's header ("RGB ", "GRAY",
// "CMYK"), read from the profile's first segment.
func iccSpace(seg []byte) string {
	const at = 4 + 14 + 16 // marker and length, identifier and sequence, header offset
	if len(seg) < at+4 {
		return ""
	}
	return string(seg[at : at+4])
}
