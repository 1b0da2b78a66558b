package wordpress

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(r io.Reader) error {
	rd := NewReader(r)
	for {
		_, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

const head = `<?xml version="1.0"?>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version>
`

// TestReaderBounds: a huge text node, deep nesting, an entity a document
// type defines and bytes that are not UTF-8 stop the reader with the
// line, and never make it hold more than an element's budget.
func TestReaderBounds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want string
	}{
		{"huge text", "<item><title><![CDATA[" + strings.Repeat("a", MaxElementBytes+1<<16) + "]]></title></item>", "larger than"},
		{"deep nesting", "<item>" + strings.Repeat("<x>", 20_000) + strings.Repeat("</x>", 20_000) + "</item>", "nest deeper than"},
		{"entity of a doctype", "<item><title>&lol;</title></item>", "invalid character entity"},
		{"not UTF-8", "<item><title>\xff\xfe</title></item>", "invalid UTF-8"},
		{"unclosed", "<item><title>x</title>", "line 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := readAll(strings.NewReader(head + c.body + "\n</channel></rss>\n"))
			var we *Error
			if !errors.As(err, &we) || we.Line == 0 || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a wordpress.Error with its line saying %q", truncate(err), c.want)
			}
		})
	}
}

func truncate(err error) string {
	if err == nil {
		return "nil"
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
