package content

import "testing"

func TestMergeText(t *testing.T) {
	base := "Seoul hosted the talks. Beijing sent its minister."
	for _, tc := range []struct {
		name, mine, theirs, want string
		ok                       bool
	}{
		{"different sentences", "Seoul hosted the second round. Beijing sent its minister.",
			"Seoul hosted the talks. Beijing sent its foreign minister.",
			"Seoul hosted the second round. Beijing sent its foreign minister.", true},
		{"the same edit", "Seoul hosted the talks.", "Seoul hosted the talks.", "Seoul hosted the talks.", true},
		{"adjacent words", "Busan hosted the talks. Beijing sent its minister.", "Seoul welcomed the talks. Beijing sent its minister.",
			"Busan welcomed the talks. Beijing sent its minister.", true},
		{"one word two ways", "Busan hosted the talks. Beijing sent its minister.", "Tokyo hosted the talks. Beijing sent its minister.", "", false},
		{"inserts at one place", base + " More.", base + " Less.", "", false},
		{"insert inside a deletion", "Seoul hosted the talks.", "Seoul hosted the talks. Beijing sent its new minister.", "", false},
		{"non-ASCII", "서울 hosted the talks. Beijing sent its minister.", "Seoul hosted the talks. Beijing sent its ministre—.",
			"서울 hosted the talks. Beijing sent its ministre—.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := MergeText(base, tc.mine, tc.theirs)
			if ok != tc.ok || got != tc.want {
				t.Errorf("MergeText = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
