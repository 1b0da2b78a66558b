package authz

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/masthead-cms/masthead/internal/cms"
)

// AllSeries is the domain of roles held on every series and of permissions
// that are not about one series (users, roles, content types).
const AllSeries = "*"

// Object is what an action is about. Series is the series path
// ("parent/child") or AllSeries; State and OwnerID are set for documents.
// Stale names, for an approval, each user whose eyes are not fresh for
// the document and why (SPEC §3, four eyes): the policy's fresh_eyes rule
// refuses them, and Can tells them the reason.
type Object struct {
	Kind    string
	Series  string
	State   string
	OwnerID string
	Stale   map[string]string
}

// System objects, for permissions not tied to one document.
var (
	Users        = Object{Kind: "user", Series: AllSeries}
	Roles        = Object{Kind: "role", Series: AllSeries}
	SeriesObj    = Object{Kind: "series", Series: AllSeries}
	ContentTypes = Object{Kind: "content_type", Series: AllSeries}
	Contributors = Object{Kind: "contributor", Series: AllSeries}
	Webhooks     = Object{Kind: "webhook", Series: AllSeries}
	Audit        = Object{Kind: "audit", Series: AllSeries}
	Media        = Object{Kind: "media", Series: AllSeries}
	Subscribers  = Object{Kind: "subscriber", Series: AllSeries}
	Imports      = Object{Kind: "import", Series: AllSeries}
	Redirects    = Object{Kind: "redirect", Series: AllSeries}
)

// Allowed reports whether the actor may do act on obj. The system actor may
// do everything: it only runs what the workflow has already decided.
func (en *Enforcer) Allowed(actor cms.Actor, act string, obj Object) bool {
	if actor.IsSystem() {
		return true
	}
	if actor.UserID == "" {
		return false
	}
	ok, err := en.e.Enforce(actor.UserID, obj.Series, obj.Kind, act, obj.State, obj.OwnerID, staleList(obj.Stale))
	if err != nil {
		en.log.Error("enforce failed", "err", err, "act", act, "obj", obj.Kind)
		return false
	}
	return ok
}

// staleList is the request's "stale" argument: the users, sorted (so that
// the decision cache sees one key per set), joined by "|".
func staleList(stale map[string]string) string {
	users := make([]string, 0, len(stale))
	for u := range stale {
		users = append(users, u)
	}
	slices.Sort(users)
	return strings.Join(users, "|")
}

// Can returns nil when the actor may do act on obj, and a forbidden error
// otherwise. When only the actor's stale eyes stand in the way (they
// would be allowed were they fresh), the error gives the reason, so that
// an editor learns that another editor must act, not that they lack a
// right.
func (en *Enforcer) Can(actor cms.Actor, act string, obj Object) error {
	if en.Allowed(actor, act, obj) {
		return nil
	}
	if why, ok := obj.Stale[actor.UserID]; ok {
		fresh := obj
		fresh.Stale, fresh.OwnerID = nil, ""
		if en.Allowed(actor, act, fresh) {
			return cms.Errorf(cms.CodeForbidden, "%s", why)
		}
	}
	return cms.Errorf(cms.CodeForbidden, "not allowed: %s on this %s", act, strings.ReplaceAll(obj.Kind, "_", " "))
}

// CanSomewhere returns nil when the actor may do act on objects of this
// kind in at least one series: for example an editor of one series may add
// contributors, who are shared by all series.
func (en *Enforcer) CanSomewhere(actor cms.Actor, act string, obj Object) error {
	if en.Allowed(actor, act, obj) {
		return nil
	}
	for _, dom := range en.domainsOf(actor.UserID) {
		o := obj
		o.Series = dom
		if en.Allowed(actor, act, o) {
			return nil
		}
	}
	return cms.Errorf(cms.CodeForbidden, "not allowed: %s on %ss in any series", act, strings.ReplaceAll(obj.Kind, "_", " "))
}

// CanInEach returns nil when the actor may do act on obj in every one of
// the series (paths, as in Object.Series), and otherwise a forbidden error
// naming each series where they may not, followed by why those series
// matter. It decides about a shared object (a contributor, a media asset)
// that live documents of those series show: a right in one series must
// not change what another series publishes.
func (en *Enforcer) CanInEach(actor cms.Actor, act string, obj Object, series []string, why string) error {
	var denied []string
	for _, path := range series {
		o := obj
		o.Series = path
		if !en.Allowed(actor, act, o) && !slices.Contains(denied, path) {
			denied = append(denied, path)
		}
	}
	if len(denied) == 0 {
		return nil
	}
	return cms.Errorf(cms.CodeForbidden, "not allowed: %s on this %s in series %s, %s", act,
		strings.ReplaceAll(obj.Kind, "_", " "), quoted(denied), why)
}

// quoted lists names as "a", "b" and "c".
func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// domainsOf lists the series in which the user holds any role directly.
func (en *Enforcer) domainsOf(userID string) []string {
	var out []string
	for _, a := range en.assignments() {
		if a.UserID == userID && !slices.Contains(out, a.Series) {
			out = append(out, a.Series)
		}
	}
	return out
}

// Roles users can hold (SPEC §4).
var roleNames = []string{"author", "assistant", "editor", "publisher", "admin"}

// Assignment is a role a user holds in a series (or AllSeries).
type Assignment struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Series string `json:"series"`
}

func (a Assignment) rule() Rule { return Rule{PType: "g", V: []string{a.UserID, a.Role, a.Series}} }

// ValidateRole checks a role name.
func ValidateRole(role string) error {
	if !slices.Contains(roleNames, role) {
		return cms.Invalid("role", fmt.Sprintf("must be one of %v", roleNames))
	}
	return nil
}

// Assign gives a user a role in a series and records who did it. The
// caller has checked that the user and series exist.
func (en *Enforcer) Assign(ctx context.Context, actor cms.Actor, a Assignment) error {
	if err := ValidateRole(a.Role); err != nil {
		return err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "role.assign", ObjectType: "user", ObjectID: a.UserID,
		Detail: map[string]any{"role": a.Role, "series": a.Series}}
	if err := en.store.AddRule(ctx, a.rule(), ev); err != nil {
		return err
	}
	return en.Reload(ctx)
}

// Revoke takes a role away; revoking a role the user does not hold is not
// found.
func (en *Enforcer) Revoke(ctx context.Context, actor cms.Actor, a Assignment) error {
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "role.revoke", ObjectType: "user", ObjectID: a.UserID,
		Detail: map[string]any{"role": a.Role, "series": a.Series}}
	if err := en.store.RemoveRule(ctx, a.rule(), ev); err != nil {
		return err
	}
	return en.Reload(ctx)
}

// Assignments lists every user's role assignments, optionally for one user.
func (en *Enforcer) Assignments(userID string) []Assignment {
	all := en.assignments()
	if userID == "" {
		return all
	}
	out := []Assignment{}
	for _, a := range all {
		if a.UserID == userID {
			out = append(out, a)
		}
	}
	return out
}

// assignments reads user→role links from the loaded policy; role→role
// links (whose subject is itself a role) are the policy's, not a user's.
func (en *Enforcer) assignments() []Assignment {
	rules, _ := en.e.GetGroupingPolicy()
	out := []Assignment{}
	for _, r := range rules {
		if len(r) < 3 || slices.Contains(roleNames, r[0]) {
			continue
		}
		out = append(out, Assignment{UserID: r[0], Role: r[1], Series: r[2]})
	}
	return out
}

// RoleNames lists the roles a user can hold.
func RoleNames() []string { return slices.Clone(roleNames) }
