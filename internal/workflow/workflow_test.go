package workflow

import (
	"testing"

	"github.com/masthead-cms/masthead/internal/cms"
)

// TestNextMatchesTheSpecTable checks every action from every state, with
// and without a live revision, against SPEC §3 written out by hand.
func TestNextMatchesTheSpecTable(t *testing.T) {
	t.Parallel()
	type key struct {
		state   State
		action  Action
		hasLive bool
	}
	allowed := map[key]State{}
	for _, live := range []bool{false, true} {
		allowed[key{Draft, Submit, live}] = InReview
		allowed[key{InReview, Withdraw, live}] = Draft
		allowed[key{InReview, RequestChanges, live}] = Draft
		allowed[key{InReview, Approve, live}] = Approved
		allowed[key{Approved, Publish, live}] = Published
		allowed[key{Approved, Schedule, live}] = Scheduled
		allowed[key{Scheduled, Unschedule, live}] = Approved
		allowed[key{Scheduled, Clock, live}] = Published
		allowed[key{Archived, Restore, live}] = Draft
	}
	for _, s := range States {
		if s != Archived {
			allowed[key{s, Archive, false}] = Archived
		}
		// SPEC §3's "(clock) expiry" row withdraws like unpublish.
		if s == Published {
			allowed[key{s, Unpublish, true}] = Draft
			allowed[key{s, Expire, true}] = Draft
		} else {
			allowed[key{s, Unpublish, true}] = s
			allowed[key{s, Expire, true}] = s
		}
	}
	cases := 0
	for _, s := range States {
		for _, a := range append(Actions, Clock, Expire) {
			for _, live := range []bool{false, true} {
				cases++
				got, err := Next(s, a, live)
				want, ok := allowed[key{s, a, live}]
				switch {
				case ok && (err != nil || got != want):
					t.Errorf("Next(%s, %s, live=%v) = %q, %v; want %q", s, a, live, got, err, want)
				case !ok && err == nil:
					t.Errorf("Next(%s, %s, live=%v) = %q; want a conflict", s, a, live, got)
				case !ok && !cms.IsCode(err, cms.CodeConflict):
					t.Errorf("Next(%s, %s, live=%v) error %v; want code conflict", s, a, live, err)
				}
			}
		}
	}
	if cases != len(States)*(len(Actions)+2)*2 {
		t.Fatalf("ran %d cases", cases)
	}
}

func TestAfterEdit(t *testing.T) {
	t.Parallel()
	want := map[State]State{Draft: Draft, InReview: InReview, Approved: InReview, Published: Draft}
	for _, s := range States {
		got, err := AfterEdit(s)
		w, ok := want[s]
		if ok && (err != nil || got != w) {
			t.Errorf("AfterEdit(%s) = %q, %v; want %q", s, got, err, w)
		}
		if !ok && !cms.IsCode(err, cms.CodeConflict) {
			t.Errorf("AfterEdit(%s) = %q, %v; want a conflict", s, got, err)
		}
	}
}

// TestAfterApproval checks that a document is approved with its last
// required approval, not before.
func TestAfterApproval(t *testing.T) {
	for _, c := range []struct {
		have, need int
		want       State
	}{
		{1, 1, Approved}, {1, 2, InReview}, {2, 2, Approved}, {0, 1, InReview},
	} {
		if got := AfterApproval(c.have, c.need); got != c.want {
			t.Errorf("AfterApproval(%d, %d) = %s, want %s", c.have, c.need, got, c.want)
		}
	}
}
