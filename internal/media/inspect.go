package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders for image.DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"net/http"

	"golang.org/x/sync/semaphore"

	"github.com/masthead-cms/masthead/internal/cms"
)

// imageFile is an upload walked by its format's own rules: what it
// measures, what decoding it costs, its pixels checked, and its bytes
// without metadata.
type imageFile interface {
	// size is the canvas as stored, in pixels.
	size() (w, h int)
	// orientation is the EXIF orientation, 1 when upright or absent.
	orientation() int
	// cost is the memory, in bytes, that decoding the image whole takes,
	// and with turned, turning it upright too.
	cost(turned bool) int64
	// check verifies that all the image data decodes: streamed where the
	// format allows, else decoded whole through d.
	check(ctx context.Context, d *decoder) error
	// strip returns the file without its metadata, losslessly.
	strip() []byte
	// upright returns the image turned as orientation o says, encoded
	// again without metadata but with its colour profile; decoding it
	// checks it.
	upright(ctx context.Context, d *decoder, o int) ([]byte, error)
}

// accepted are the types we store: images a browser shows and Go can
// measure. The type is sniffed from the bytes; the name and the declared
// type are not trusted.
var accepted = map[string]string{"image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif"}

// maxPixels and maxSide bound the canvas an upload may claim
// (decompression bombs).
const (
	maxPixels = 60_000_000
	maxSide   = 20_000
)

// checkCanvas refuses a canvas, as the header claims it, that is too
// large to decode: before anything else of the file is read, so that a
// tiny file cannot make us decode a huge image.
func checkCanvas(w, h int) error {
	if w > maxSide || h > maxSide || int64(w)*int64(h) > maxPixels {
		msg := fmt.Sprintf("is %d×%d pixels: images may be at most %d pixels a side and %d megapixels", w, h, maxSide, maxPixels/1_000_000)
		return &cms.Error{Code: cms.CodeTooLarge, Message: "file: " + msg, Fields: []cms.FieldProblem{{Field: "file", Message: msg}}}
	}
	return nil
}

// DefaultDecodeLimit is the memory one image may take decoded, and all
// the images this process decodes at once together.
const DefaultDecodeLimit = 256 << 20

// decoder bounds the memory that decoding images takes in this process:
// a decode waits until the budget has room for its cost.
type decoder struct {
	limit int64
	sem   *semaphore.Weighted
}

func newDecoder(limit int64) *decoder {
	return &decoder{limit: limit, sem: semaphore.NewWeighted(limit)}
}

// do runs fn, which decodes an image of the given cost, once the budget
// has room for it.
func (d *decoder) do(ctx context.Context, cost int64, fn func() error) error {
	cost = min(max(cost, 1), d.limit)
	if err := d.sem.Acquire(ctx, cost); err != nil {
		return fmt.Errorf("media: waiting to decode: %w", err)
	}
	defer d.sem.Release(cost)
	return fn()
}

// prepare checks an upload and returns its facts and the bytes to store:
// without metadata and turned upright, or, with keep, as uploaded. Width
// and height are always the upright image's, as a browser shows it.
func (s *Service) prepare(ctx context.Context, data []byte, keep bool) (Asset, []byte, error) {
	f, mime, err := parse(data)
	if err != nil {
		return Asset{}, nil, err
	}
	w, h := f.size()
	if w <= 0 || h <= 0 {
		return Asset{}, nil, cms.Invalid("file", "has no pixels")
	}
	// The canvas and the cost first: a tiny file must not make us decode
	// a huge image.
	if int64(w)*int64(h) > maxPixels {
		return Asset{}, nil, cms.Invalid("file", fmt.Sprintf("has more than %d megapixels", maxPixels/1_000_000))
	}
	o := f.orientation()
	turn := !keep && o != 1
	if need := f.cost(turn); need > s.decoder.limit {
		msg := fmt.Sprintf("takes %d MiB of memory decoded (%d×%d pixels at its bit depth), more than the %d MiB allowed",
			(need+1<<20-1)>>20, w, h, s.decoder.limit>>20)
		return Asset{}, nil, &cms.Error{Code: cms.CodeTooLarge, Message: "file: " + msg, Fields: []cms.FieldProblem{{Field: "file", Message: msg}}}
	}
	out := data
	if turn {
		out, err = f.upright(ctx, s.decoder, o)
	} else if err = f.check(ctx, s.decoder); err == nil && !keep {
		out = f.strip()
	}
	if err != nil {
		if errors.Is(err, errPNG) || errors.Is(err, errJPEG) || errors.Is(err, errGIF) {
			return Asset{}, nil, cms.Invalid("file", err.Error())
		}
		return Asset{}, nil, err
	}
	if swapsSides(o) {
		w, h = h, w
	}
	sum := sha256.Sum256(out)
	return Asset{MIME: mime, Size: int64(len(out)), SHA256: hex.EncodeToString(sum[:]), Width: w, Height: h, MetadataKept: keep}, out, nil
}

// parse sniffs an upload and walks it; a file whose bytes are not the
// image they claim to be is refused.
func parse(data []byte) (imageFile, string, error) {
	if len(data) == 0 {
		return nil, "", cms.Invalid("file", "is empty")
	}
	mime := http.DetectContentType(data)
	format, ok := accepted[mime]
	if !ok {
		return nil, "", &cms.Error{Code: cms.CodeUnsupportedMedia, Message: "only PNG, JPEG and GIF images are accepted",
			Fields: []cms.FieldProblem{{Field: "file", Message: "is " + mime}}}
	}
	cfg, decoded, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || decoded != format {
		return nil, "", cms.Invalid("file", "is not a readable "+format+" image")
	}
	if err := checkCanvas(cfg.Width, cfg.Height); err != nil {
		return nil, "", err
	}
	var f imageFile
	switch format {
	case "png":
		f, err = parsePNG(data)
	case "jpeg":
		f, err = parseJPEG(data)
	default:
		f, err = parseGIF(data)
	}
	if err != nil {
		return nil, "", cms.Invalid("file", err.Error())
	}
	return f, mime, nil
}
