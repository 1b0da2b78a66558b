// Package workflow is the editorial state machine of SPEC §3 as pure
// functions: which action moves a document from which state to which, and
// what an edit does to the state. Who may act is authorization's business
// (package authz); this package only knows the states. It imports only cms.
package workflow

import (
	"fmt"

	"github.com/masthead-cms/masthead/internal/cms"
)

// State is where a document's working copy stands.
type State string

// The states of SPEC §3.
const (
	Draft     State = "draft"
	InReview  State = "in_review"
	Approved  State = "approved"
	Scheduled State = "scheduled"
	Published State = "published"
	Archived  State = "archived"
)

// States lists every state, in workflow order.
var States = []State{Draft, InReview, Approved, Scheduled, Published, Archived}

// Action is something a person (or the clock) does to a document.
type Action string

// The actions of SPEC §3. Clock is the scheduler publishing a due document.
const (
	Submit         Action = "submit"
	Withdraw       Action = "withdraw"
	RequestChanges Action = "request_changes"
	Approve        Action = "approve"
	Publish        Action = "publish"
	Schedule       Action = "schedule"
	Unschedule     Action = "unschedule"
	Clock          Action = "clock"
	// Expire is the clock taking a live revision down at its expiry.
	Expire    Action = "expire"
	Unpublish Action = "unpublish"
	Archive   Action = "archive"
	Restore   Action = "restore"
)

// Actions lists every action a person can request (Clock is the system's).
var Actions = []Action{Submit, Withdraw, RequestChanges, Approve, Publish, Schedule, Unschedule, Unpublish, Archive, Restore}

// ValidAction reports whether a is an action a person can request.
func ValidAction(a Action) bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}

// table is SPEC §3's state table for the actions that depend only on the
// state. Unpublish and archive also depend on whether a live revision
// exists, so Next handles them.
var table = map[Action]map[State]State{
	Submit:         {Draft: InReview},
	Withdraw:       {InReview: Draft},
	RequestChanges: {InReview: Draft},
	Approve:        {InReview: Approved},
	Publish:        {Approved: Published},
	Schedule:       {Approved: Scheduled},
	Unschedule:     {Scheduled: Approved},
	Clock:          {Scheduled: Published},
	Restore:        {Archived: Draft},
}

// Next returns the state that action leads to from state, given whether
// the document has a live revision, or a conflict error when the action is
// not possible from there.
func Next(state State, action Action, hasLive bool) (State, error) {
	switch action {
	case Unpublish, Expire:
		// The live revision leaves delivery; a published document goes back
		// to draft, any other state stays as it is.
		if !hasLive {
			return "", notFrom(state, action, "it has no live revision")
		}
		if state == Published {
			return Draft, nil
		}
		return state, nil
	case Archive:
		if hasLive {
			return "", notFrom(state, action, "unpublish it first")
		}
		if state == Archived {
			return "", notFrom(state, action, "")
		}
		return Archived, nil
	}
	to, ok := table[action][state]
	if !ok {
		return "", notFrom(state, action, "")
	}
	return to, nil
}

// AfterApproval returns the state an approval of an in_review document
// leads to, given how many approvals its revision has with this one (have)
// and how many its series requires (need): a series may ask for two
// editors' eyes, and until the last of them approves the document stays in
// review; the approvals given so far are recorded, not the state.
func AfterApproval(have, need int) State {
	if have >= need {
		return Approved
	}
	return InReview
}

// AfterEdit returns the state a document is in after its content is
// edited in state, or a conflict when it may not be edited there. An edit
// of an approved document voids the approval (it covered one exact
// revision); an edit of a published document starts its next revision as a
// draft while the live one stays online.
func AfterEdit(state State) (State, error) {
	switch state {
	case Draft, InReview:
		return state, nil
	case Approved:
		return InReview, nil
	case Published:
		return Draft, nil
	case Scheduled:
		return "", cms.Errorf(cms.CodeConflict, "a scheduled document cannot be edited; unschedule it first")
	default:
		return "", cms.Errorf(cms.CodeConflict, "an %s document cannot be edited; restore it first", state)
	}
}

func notFrom(state State, action Action, why string) error {
	msg := fmt.Sprintf("cannot %s a document that is %s", action, state)
	if why != "" {
		msg += ": " + why
	}
	return cms.Errorf(cms.CodeConflict, "%s", msg)
}
