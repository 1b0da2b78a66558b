// Package cms holds Masthead's shared vocabulary: the one error type and its
// codes, the acting user carried in a context, and small value types used by
// every domain package. It imports only the standard library.
package cms
