package media

import (
	"encoding/binary"
	"image"
)

// exifOrientation reads the Orientation tag (0x0112) of IFD0 from EXIF's
// TIFF data: 1 (upright, also when absent or unreadable) to 8.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int64(bo.Uint32(t[4:]))
	if bo.Uint16(t[2:]) != 42 || ifd+2 > int64(len(t)) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for i := range n {
		e := int(ifd) + 2 + 12*i
		if e+12 > len(t) {
			break
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); bo.Uint16(t[e+2:]) == 3 && v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// swapsSides reports whether orientation o turns the image a quarter, so
// that its width becomes its height.
func swapsSides(o int) bool { return o >= 5 && o <= 8 }

// orientPoint is where the pixel (x, y) of a w×h image stored in EXIF
// orientation o goes in the upright image.
func orientPoint(o, w, h, x, y int) (int, int) {
	switch o {
	case 2: // mirrored
		return w - 1 - x, y
	case 3: // upside down
		return w - 1 - x, h - 1 - y
	case 4: // mirrored upside down
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // a quarter anticlockwise: turn it clockwise
		return h - 1 - y, x
	case 7: // transversed
		return h - 1 - y, w - 1 - x
	case 8: // a quarter clockwise: turn it back
		return y, w - 1 - x
	}
	return x, y
}

// orient returns img turned upright. It keeps the pixel format of what
// Go's decoders return, copying samples exactly; YCbCr becomes 4:4:4.
func orient(img image.Image, o int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	r := image.Rect(0, 0, w, h)
	if swapsSides(o) {
		r = image.Rect(0, 0, h, w)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		dst := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
		for y := range h {
			for x := range w {
				dx, dy := orientPoint(o, w, h, x, y)
				si, ci, di := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y), dst.YOffset(dx, dy)
				dst.Y[di], dst.Cb[di], dst.Cr[di] = m.Y[si], m.Cb[ci], m.Cr[ci]
			}
		}
		return dst
	case *image.Paletted:
		return &image.Paletted{Pix: turnPix(m.Pix, m.Stride, 1, b, o), Stride: r.Dx(), Rect: r, Palette: m.Palette}
	case *image.Gray:
		return &image.Gray{Pix: turnPix(m.Pix, m.Stride, 1, b, o), Stride: r.Dx(), Rect: r}
	case *image.Gray16:
		return &image.Gray16{Pix: turnPix(m.Pix, m.Stride, 2, b, o), Stride: 2 * r.Dx(), Rect: r}
	case *image.RGBA:
		return &image.RGBA{Pix: turnPix(m.Pix, m.Stride, 4, b, o), Stride: 4 * r.Dx(), Rect: r}
	case *image.NRGBA:
		return &image.NRGBA{Pix: turnPix(m.Pix, m.Stride, 4, b, o), Stride: 4 * r.Dx(), Rect: r}
	case *image.CMYK:
		return &image.CMYK{Pix: turnPix(m.Pix, m.Stride, 4, b, o), Stride: 4 * r.Dx(), Rect: r}
	case *image.RGBA64:
		return &image.RGBA64{Pix: turnPix(m.Pix, m.Stride, 8, b, o), Stride: 8 * r.Dx(), Rect: r}
	case *image.NRGBA64:
		return &image.NRGBA64{Pix: turnPix(m.Pix, m.Stride, 8, b, o), Stride: 8 * r.Dx(), Rect: r}
	}
	dst := image.NewNRGBA64(r) // no decoder of ours returns another kind
	for y := range h {
		for x := range w {
			dx, dy := orientPoint(o, w, h, x, y)
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// turnPix copies the bpp-byte pixels of the rectangle b of pix into a new,
// tightly packed upright image.
func turnPix(pix []byte, stride, bpp int, b image.Rectangle, o int) []byte {
	w, h := b.Dx(), b.Dy()
	dw := w
	if swapsSides(o) {
		dw = h
	}
	out := make([]byte, w*h*bpp)
	for y := range h {
		row := pix[y*stride:]
		for x := range w {
			dx, dy := orientPoint(o, w, h, x, y)
			copy(out[(dy*dw+dx)*bpp:(dy*dw+dx+1)*bpp], row[x*bpp:(x+1)*bpp])
		}
	}
	return out
}
