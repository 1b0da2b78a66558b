package cms

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients may switch on it;
// it never changes once shipped.
type Code string

// The error codes Masthead returns. Each maps to one HTTP status in the
// server package.
const (
	CodeInvalid            Code = "invalid"             // 400: the request is malformed or a value is wrong
	CodeUnauthenticated    Code = "unauthenticated"     // 401: no valid session or token
	CodeForbidden          Code = "forbidden"           // 403: authenticated but not allowed
	CodeCSRF               Code = "csrf_failed"         // 403: cookie write without the right CSRF token
	CodeNotFound           Code = "not_found"           // 404
	CodeMethodNotAllowed   Code = "method_not_allowed"  // 405
	CodeConflict           Code = "conflict"            // 409: clashes with existing data or state
	CodePreconditionFailed Code = "precondition_failed" // 412: stale version
	CodeTooLarge           Code = "too_large"           // 413
	CodeUnsupportedMedia   Code = "unsupported_media"   // 415
	CodePreconditionNeeded Code = "precondition_required"
	CodeTooManyRequests    Code = "too_many_requests" // 429
	CodeUnavailable        Code = "unavailable"       // 503
	CodeInternal           Code = "internal"          // 500: never shows details
)

// FieldProblem names one invalid input field and why it is invalid.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Blocker is one reason a document cannot go live: an unmet publish gate,
// an embargo, a missing approval. A refused publish lists every blocker at
// once, per document, so that a release names each item that holds it
// back.
type Blocker struct {
	DocumentID string `json:"document_id"`
	Title      string `json:"title"`
	// Reason is stable and machine-readable ("not_approved", "embargoed",
	// "hero_licence", …); Message says it for people.
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Error is the one error type that crosses package boundaries towards the
// HTTP layer. Message is safe to show to the client; anything else is
// wrapped, logged and shown as "internal error".
type Error struct {
	Code    Code
	Message string
	Fields  []FieldProblem
	// Blockers, on a conflict, are what keeps documents from going live.
	Blockers []Blocker
	// RetryAfter, in seconds, is sent as the Retry-After header when set.
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%s: %s)", e.Code, e.Message, e.Fields[0].Field, e.Fields[0].Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a CodeInvalid error naming the field at fault.
func Invalid(field, message string) *Error {
	return &Error{
		Code:    CodeInvalid,
		Message: fmt.Sprintf("%s: %s", field, message),
		Fields:  []FieldProblem{{Field: field, Message: message}},
	}
}

// NotFound returns a CodeNotFound error for the named kind of object.
func NotFound(kind string) *Error {
	return &Error{Code: CodeNotFound, Message: kind + " not found"}
}

// ErrorCode returns the code of err if it is, or wraps, an *Error, and
// CodeInternal otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Blocked returns the conflict that refuses a publish for every one of
// blockers, in one message and as a list.
func Blocked(blockers []Blocker) *Error {
	msg := "cannot go live: " + blockers[0].Message
	if len(blockers) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(blockers)-1)
	}
	return &Error{Code: CodeConflict, Message: msg, Blockers: blockers}
}

// IsCode reports whether err is, or wraps, an *Error with the given code.
func IsCode(err error, code Code) bool {
	return err != nil && ErrorCode(err) == code
}

// Problems collects field problems so that a validator can report all of
// them at once.
type Problems []FieldProblem

// Add records a problem with one field.
func (p *Problems) Add(field, message string) {
	*p = append(*p, FieldProblem{Field: field, Message: message})
}

// Err returns nil when nothing was recorded, or a CodeInvalid error listing
// every problem.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s: %s", p[0].Field, p[0].Message)
	if len(p) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(p)-1)
	}
	return &Error{Code: CodeInvalid, Message: msg, Fields: p}
}
