package content

import "github.com/masthead-cms/masthead/internal/authz"

// DocumentObject is the authorization object of a document (its series
// path, state and owner), for callers that ask the enforcer what a person
// may do with it — the newsroom UI shows only the actions allowed.
func DocumentObject(d Document) authz.Object { return documentObject(d) }
