package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/media/imaging"
)

// Variant kinds: a narrower copy at one of imaging.Widths, and the social
// crop around the asset's focal point.
const (
	KindWidth  = "width"
	KindSocial = "social"
)

// Variant is a resized copy of an image asset, kept in blob storage under
// its own SHA-256 like the original and public exactly when it is.
type Variant struct {
	Kind   string `json:"kind"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Focal is the point of an image the social crop is cut around: X from
// the left, Y from the top, each 0..1 of the upright image.
type Focal struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Centre is the focal point of an asset nobody placed one on.
var Centre = Focal{X: 0.5, Y: 0.5}

// FocalInput is a focal point as a request sets it: both coordinates.
type FocalInput struct {
	X *float64 `json:"x"`
	Y *float64 `json:"y"`
}

// focalOf checks a requested focal point.
func focalOf(in *FocalInput) (Focal, error) {
	ok := func(v *float64) bool { return v != nil && *v >= 0 && *v <= 1 }
	if !ok(in.X) || !ok(in.Y) {
		return Focal{}, cms.Invalid("focal", "must be {\"x\": 0..1, \"y\": 0..1}, from the left and the top")
	}
	return Focal{X: *in.X, Y: *in.Y}, nil
}

// Social returns the asset's social crop, if it has one.
func (a Asset) Social() (Variant, bool) {
	for _, v := range a.Variants {
		if v.Kind == KindSocial {
			return v, true
		}
	}
	return Variant{}, false
}

// encoded is a variant with its bytes, before they are stored.
type encoded struct {
	Variant
	data []byte
}

// makeVariants decodes an image's stored bytes, upright, within the
// decoding budget, and returns its width variants (with all) and its
// social crop around focal.
func (s *Service) makeVariants(ctx context.Context, stored []byte, focal Focal, all bool) ([]encoded, error) {
	f, _, err := parse(stored)
	if err != nil {
		return nil, err
	}
	o := f.orientation()
	w, h := f.size()
	var out []encoded
	err = s.decoder.do(ctx, f.cost(o != 1)+variantCost(w, h), func() error {
		img, _, err := image.Decode(bytes.NewReader(stored))
		if err != nil {
			return cms.Invalid("file", "does not decode: "+err.Error())
		}
		if o != 1 {
			img = orient(img, o)
		}
		out, err = encodeVariants(img, focal, all)
		return err
	})
	return out, err
}

// variantCost is the memory the variants of a w×h image take besides
// the decoded image: the halves scaling makes (a third of the image in
// RGBA) and each copy.
func variantCost(w, h int) int64 {
	n := int64(w)*int64(h)/3 + imaging.SocialWidth*imaging.SocialHeight
	for _, vw := range imaging.Widths {
		if vw < w {
			n += int64(vw) * int64(h) * int64(vw) / int64(w)
		}
	}
	return 4 * n
}

func encodeVariants(img image.Image, focal Focal, all bool) ([]encoded, error) {
	var list []imaging.Encoded
	if all {
		var err error
		if list, err = imaging.Resized(img); err != nil {
			return nil, err
		}
	}
	crop, err := imaging.Crop(img, focal.X, focal.Y)
	if err != nil {
		return nil, err
	}
	out := make([]encoded, 0, len(list)+1)
	for _, e := range list {
		out = append(out, encodedOf(KindWidth, e))
	}
	return append(out, encodedOf(KindSocial, crop)), nil
}

func encodedOf(kind string, e imaging.Encoded) encoded {
	return encoded{Variant: Variant{Kind: kind, Width: e.Width, Height: e.Height, MIME: e.MIME,
		Size: int64(len(e.Data)), SHA256: hashOf(e.Data)}, data: e.Data}
}

// putVariants stores the variants' bytes and returns their records.
func (s *Service) putVariants(ctx context.Context, list []encoded) ([]Variant, error) {
	out := make([]Variant, len(list))
	for i, e := range list {
		if err := s.blobs.Put(ctx, e.SHA256, e.data); err != nil {
			return nil, err
		}
		out[i] = e.Variant
	}
	return out, nil
}

// OpenVariant returns the variant of an asset stored under key (its
// SHA-256), for staff and previews: as an Asset, so that Serve writes it
// with its own type and ETag.
func (s *Service) OpenVariant(ctx context.Context, id, key string) (Asset, io.ReadSeekCloser, error) {
	a, err := s.store.FindAsset(ctx, id)
	if err != nil {
		return Asset{}, nil, err
	}
	for _, v := range a.Variants {
		if v.SHA256 == key {
			f, err := s.blobs.Open(ctx, v.SHA256)
			a.MIME, a.Size, a.SHA256, a.Width, a.Height = v.MIME, v.Size, v.SHA256, v.Width, v.Height
			return a, f, err
		}
	}
	return Asset{}, nil, cms.NotFound("media")
}

// OpenLiveVariant is OpenVariant for anyone, while a live document shows
// the asset; otherwise it is not found, whatever exists.
func (s *Service) OpenLiveVariant(ctx context.Context, id, key string) (Asset, io.ReadSeekCloser, error) {
	live, err := s.store.AssetIsLive(ctx, id)
	if err != nil {
		return Asset{}, nil, err
	}
	if !live {
		return Asset{}, nil, cms.NotFound("media")
	}
	return s.OpenVariant(ctx, id, key)
}

// BackfillResult is what Backfill did.
type BackfillResult struct {
	Assets, Variants int
}

// Backfill makes the variants of every asset that has none (those stored
// before variants existed, or imported), storing their bytes before their
// rows; onDone, if not nil, is told of each asset done, so that what
// shows it is rendered again. An asset that fails is reported and the
// others go on.
func (s *Service) Backfill(ctx context.Context, onDone func(Asset) error) (BackfillResult, error) {
	var res BackfillResult
	var todo []Asset
	if err := s.store.EachAsset(ctx, func(a Asset) error {
		if len(a.Variants) == 0 {
			todo = append(todo, a)
		}
		return nil
	}); err != nil {
		return res, err
	}
	var bad []error
	for _, a := range todo {
		n, err := s.backfillOne(ctx, a)
		if err == nil && onDone != nil {
			err = onDone(a)
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			bad = append(bad, err)
			continue
		}
		res.Assets, res.Variants = res.Assets+1, res.Variants+n
	}
	return res, errors.Join(bad...)
}

// backfillOne makes and records one asset's variants.
func (s *Service) backfillOne(ctx context.Context, a Asset) (int, error) {
	data, err := readAll(ctx, s.blobs, a.SHA256, a.ID)
	if err != nil {
		return 0, fmt.Errorf("media: %s: %w", a.ID, err)
	}
	list, err := s.makeVariants(ctx, data, a.Focal, true)
	if err != nil {
		return 0, fmt.Errorf("media: %s: %w", a.ID, err)
	}
	vs, err := s.putVariants(ctx, list)
	if err != nil {
		return 0, err
	}
	return len(vs), s.store.PutVariants(ctx, a.ID, vs, time.Now().UTC())
}

// recrop cuts a's social crop again when its focal point moved from was,
// storing its bytes, and returns it to record (nil when it did not move).
func (s *Service) recrop(ctx context.Context, a *Asset, was Focal) ([]Variant, error) {
	if a.Focal == was {
		return nil, nil
	}
	data, err := readAll(ctx, s.blobs, a.SHA256, a.ID)
	if err != nil {
		return nil, fmt.Errorf("media: %s: %w", a.ID, err)
	}
	list, err := s.makeVariants(ctx, data, a.Focal, false)
	if err != nil {
		return nil, err
	}
	social, err := s.putVariants(ctx, list)
	if err != nil {
		return nil, err
	}
	kept := a.Variants[:0:0]
	for _, v := range a.Variants {
		if v.Kind != KindSocial {
			kept = append(kept, v)
		}
	}
	a.Variants = append(kept, social...)
	return social, nil
}
