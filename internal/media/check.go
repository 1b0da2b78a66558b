package media

import (
	"errors"
	"regexp"

	"github.com/masthead-cms/masthead/internal/cms"
)

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// CheckAsset applies the upload's rules to an asset that arrives some
// other way (an import of an export): an asset id, an image type we
// store with its measures, and attribution within Update's limits.
func CheckAsset(a Asset) error {
	var p cms.Problems
	if !ValidID(a.ID) {
		p.Add("id", "must be a media id (32 lower-case hex digits)")
	}
	if _, ok := accepted[a.MIME]; !ok {
		p.Add("mime", "must be image/png, image/jpeg or image/gif")
	}
	if a.Size <= 0 || a.Width <= 0 || a.Height <= 0 || a.Width*a.Height > maxPixels {
		p.Add("size", "must be a non-empty image of at most 60 megapixels")
	}
	if !sha256RE.MatchString(a.SHA256) {
		p.Add("sha256", "must be 64 lower-case hex digits")
	}
	err := applyMetadata(&a, Metadata{Alt: &a.Alt, Caption: &a.Caption, Credit: &a.Credit, Licence: &a.Licence, SourceURL: &a.SourceURL})
	var ce *cms.Error
	if errors.As(err, &ce) {
		p = append(p, ce.Fields...)
	}
	return p.Err()
}
