package cms

import (
	"strings"
	"unicode/utf8"
)

// StorableText reports whether s can be stored as text on every engine:
// PostgreSQL refuses a NUL byte and bytes that are not UTF-8 in text
// columns, while SQLite stores both, so a SQLite newsroom holding them
// could never move to PostgreSQL. The HTTP edge and the import both
// refuse such text.
func StorableText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
