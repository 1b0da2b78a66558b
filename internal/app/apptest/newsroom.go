package apptest

import (
	"net/http"
	"testing"
)

// The example newsroom of shared/examples/korea-view-2021-04-14.txt: the
// blog The Peninsula and its child, the newsletter Korea View.
const (
	ParentSeries = "the-peninsula"
	Series       = "korea-view"
)

// Contributors are the people the example briefing credits.
var Contributors = []string{"Yong Kwon", "Melissa Cho", "Alexandra Langford"}

// Newsroom is the example newsroom with one signed-in person per role.
// Each person's password is "password-" + their email, as CreateUser
// makes it.
type Newsroom struct {
	Env                                         *Env
	Admin, Writer, Assistant, Editor, Publisher *Client
	Anonymous                                   *Client
}

// NewsroomOptions change who holds which role where.
type NewsroomOptions struct {
	// RolesOn is the one series every person holds their role on. Empty
	// means the desk of Korea View: the editor on The Peninsula (so on
	// its children too), everyone else on Korea View.
	RolesOn string
}

// NewNewsroom creates the two series, the contributors and the people —
// writer@, assistant@, editor@ and publisher@example.org — through the
// API and the services, failing t if any of it does not work.
func NewNewsroom(t testing.TB, env *Env, opts ...NewsroomOptions) *Newsroom {
	t.Helper()
	var o NewsroomOptions
	for _, op := range opts {
		o = op
	}
	admin := env.Admin().For(t)
	admin.Do("POST", "/api/v1/series", map[string]any{"slug": ParentSeries, "name": "The Peninsula", "kind": "blog",
		"about": "The Peninsula is the blog of the Korea Economic Institute."}).Want(http.StatusCreated)
	admin.Do("POST", "/api/v1/series", map[string]any{"slug": Series, "name": "Korea View", "kind": "newsletter",
		"parent": ParentSeries,
		"about":  "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute."}).Want(http.StatusCreated)
	for _, name := range Contributors {
		admin.Do("POST", "/api/v1/contributors", map[string]any{"name": name}).Want(http.StatusCreated)
	}
	on := func(deflt string) string {
		if o.RolesOn != "" {
			return o.RolesOn
		}
		return deflt
	}
	return &Newsroom{
		Env:       env,
		Admin:     admin,
		Writer:    env.CreateUser("writer@example.org", "author:"+on(Series)),
		Assistant: env.CreateUser("assistant@example.org", "assistant:"+on(Series)),
		Editor:    env.CreateUser("editor@example.org", "editor:"+on(ParentSeries)),
		Publisher: env.CreateUser("publisher@example.org", "publisher:"+on(Series)),
		Anonymous: env.Anonymous(),
	}
}
