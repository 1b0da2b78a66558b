package content

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/masthead-cms/masthead/internal/cms"
)

const maxSlugLength = 120

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Slugify derives a slug from a title: accents dropped, lower-case ASCII
// letters and digits, words joined by single hyphens, at most 120
// characters, cut at a word boundary where possible.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(title) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case unicode.Is(unicode.Mn, r) || r == '\'' || r == '’':
			// combining accents and apostrophes vanish: "China’s" → "chinas"
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > maxSlugLength {
		s = s[:maxSlugLength]
		if i := strings.LastIndexByte(s, '-'); i > maxSlugLength/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	return s
}

// slugRule is what checkSlug asks of a slug.
const slugRule = "must be lower-case letters, digits and single hyphens, at most 120 characters"

// checkSlug validates a slug given by a person.
func checkSlug(field, slug string) error {
	if len(slug) > maxSlugLength || !slugRE.MatchString(slug) {
		return cms.Invalid(field, slugRule)
	}
	return nil
}
