package cms

import "context"

// Actor is whoever makes a request: a signed-in user, a user acting through
// an API token, or the system itself (the scheduler, the CLI).
type Actor struct {
	UserID string
	Email  string
	Name   string
	// Via says how the actor authenticated: "session", "token" or "system".
	Via string
}

// System is the actor for work Masthead does on its own, such as
// publishing scheduled documents.
var System = Actor{UserID: "system", Name: "Masthead", Via: "system"}

// IsSystem reports whether the actor is Masthead itself.
func (a Actor) IsSystem() bool { return a.Via == "system" }

type actorKey struct{}

// WithActor returns a copy of ctx that carries the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
