// Package imaging makes the responsive copies of an upright image: its
// narrower widths and a social crop cut around a focal point, resized
// with golang.org/x/image/draw and encoded as JPEG, or as PNG when the
// image has transparency. It never enlarges an image. It
// knows nothing of storage or the web; it imports x/image only.
package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
)

// Widths are the widths variants are made at, narrowest first; widths at
// or above the original's are skipped.
var Widths = []int{320, 640, 1024, 1600}

// Social is the size of the crop that link previews show (Open Graph,
// Twitter cards).
const SocialWidth, SocialHeight = 1200, 630

// jpegQuality is the quality variants are encoded at.
const jpegQuality = 82

// Encoded is one variant as stored.
type Encoded struct {
	Width, Height int
	MIME          string
	Data          []byte
}

// Resized returns the copies of img at each of Widths narrower than it,
// narrowest first, its aspect kept. Each is scaled from the next wider
// one, which costs less than scaling each from the original.
func Resized(img image.Image) ([]Encoded, error) {
	opaque := isOpaque(img)
	var out []Encoded
	src := img
	for i := len(Widths) - 1; i >= 0; i-- {
		w := Widths[i]
		if w >= img.Bounds().Dx() {
			continue
		}
		h := max(1, (img.Bounds().Dy()*w+img.Bounds().Dx()/2)/img.Bounds().Dx())
		src = scale(src, src.Bounds(), w, h)
		e, err := encode(src, opaque)
		if err != nil {
			return nil, err
		}
		out = append([]Encoded{e}, out...)
	}
	return out, nil
}

// Crop returns the largest SocialWidth:SocialHeight part of img centred
// as near the focal point (fx, fy: 0..1 from the left and the top) as the
// image allows, scaled down to SocialWidth×SocialHeight when larger.
func Crop(img image.Image, fx, fy float64) (Encoded, error) {
	r := cropRect(img.Bounds(), fx, fy)
	w, h := r.Dx(), r.Dy()
	if w > SocialWidth {
		w, h = SocialWidth, SocialHeight
	}
	return encode(scale(img, r, w, h), isOpaque(img))
}

// cropRect is the largest rectangle of the social aspect inside b,
// centred on the focal point and moved back inside b where it overhangs.
func cropRect(b image.Rectangle, fx, fy float64) image.Rectangle {
	w, h := b.Dx(), b.Dx()*SocialHeight/SocialWidth
	if h > b.Dy() {
		w, h = b.Dy()*SocialWidth/SocialHeight, b.Dy()
	}
	w, h = max(w, 1), max(h, 1)
	x := clamp(int(fx*float64(b.Dx()))-w/2, 0, b.Dx()-w)
	y := clamp(int(fy*float64(b.Dy()))-h/2, 0, b.Dy()-h)
	return image.Rect(b.Min.X+x, b.Min.Y+y, b.Min.X+x+w, b.Min.Y+y+h)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// scale draws the part r of src into a new w×h image: halved (each pixel
// the mean of four) until less than twice the size, then resampled
// bilinearly. Unlike x/image/draw's kernels, whose scratch space is 32
// bytes for each pixel of the destination's width times the source's
// height, this holds nothing but the halves, a third of the source in all.
func scale(src image.Image, r image.Rectangle, w, h int) image.Image {
	for r.Dx() >= 2*w && r.Dy() >= 2*h {
		half := image.NewRGBA(image.Rect(0, 0, r.Dx()/2, r.Dy()/2))
		draw.ApproxBiLinear.Scale(half, half.Bounds(), src, r, draw.Src, nil)
		src, r = half, half.Bounds()
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, r, draw.Src, nil)
	return dst
}

// isOpaque reports whether every pixel of img is opaque.
func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// encode writes img as JPEG when opaque, else as PNG (which keeps its
// transparency).
func encode(img image.Image, opaque bool) (Encoded, error) {
	var buf bytes.Buffer
	mime := "image/jpeg"
	var err error
	if opaque {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	} else {
		mime = "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	if err != nil {
		return Encoded{}, fmt.Errorf("imaging: encode: %w", err)
	}
	b := img.Bounds()
	return Encoded{Width: b.Dx(), Height: b.Dy(), MIME: mime, Data: buf.Bytes()}, nil
}
