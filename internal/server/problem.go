package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Problem is an RFC 9457 problem details body, with Masthead's stable code.
type Problem struct {
	Type      string             `json:"type"`
	Title     string             `json:"title"`
	Status    int                `json:"status"`
	Detail    string             `json:"detail"`
	Code      cms.Code           `json:"code"`
	Instance  string             `json:"instance,omitempty"`
	RequestID string             `json:"request_id,omitempty"`
	Errors    []cms.FieldProblem `json:"errors,omitempty"`
	Blockers  []cms.Blocker      `json:"blockers,omitempty"`
}

var statusOf = map[cms.Code]int{
	cms.CodeInvalid:            http.StatusBadRequest,
	cms.CodeUnauthenticated:    http.StatusUnauthorized,
	cms.CodeForbidden:          http.StatusForbidden,
	cms.CodeCSRF:               http.StatusForbidden,
	cms.CodeNotFound:           http.StatusNotFound,
	cms.CodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	cms.CodeConflict:           http.StatusConflict,
	cms.CodePreconditionFailed: http.StatusPreconditionFailed,
	cms.CodeTooLarge:           http.StatusRequestEntityTooLarge,
	cms.CodeUnsupportedMedia:   http.StatusUnsupportedMediaType,
	cms.CodePreconditionNeeded: http.StatusPreconditionRequired,
	cms.CodeTooManyRequests:    http.StatusTooManyRequests,
	cms.CodeUnavailable:        http.StatusServiceUnavailable,
	cms.CodeInternal:           http.StatusInternalServerError,
}

// codeOfStatus maps Echo's own errors (unknown route, wrong method, body
// too large) back to codes.
var codeOfStatus = map[int]cms.Code{
	http.StatusBadRequest:            cms.CodeInvalid,
	http.StatusUnauthorized:          cms.CodeUnauthenticated,
	http.StatusForbidden:             cms.CodeForbidden,
	http.StatusNotFound:              cms.CodeNotFound,
	http.StatusMethodNotAllowed:      cms.CodeMethodNotAllowed,
	http.StatusRequestEntityTooLarge: cms.CodeTooLarge,
	http.StatusUnsupportedMediaType:  cms.CodeUnsupportedMedia,
	http.StatusTooManyRequests:       cms.CodeTooManyRequests,
	http.StatusServiceUnavailable:    cms.CodeUnavailable,
}

// ErrorHandler is the one place errors become responses. A *cms.Error is
// shown as it is; Echo's HTTP errors keep their status; anything else is
// logged with the request ID and shown as "internal error".
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		if clientGone(c, err) {
			// No one reads the answer; the status is for the log.
			c.Response().WriteHeader(StatusClientClosed)
			return
		}
		p := ProblemFor(err)
		p.Instance = c.Request().URL.Path
		p.RequestID = requestID(c)
		if p.Status >= 500 {
			log.Error("request failed", "err", err, "request_id", p.RequestID, "method", c.Request().Method, "path", p.Instance)
		}
		var ce *cms.Error
		if errors.As(err, &ce) && ce.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(ce.RetryAfter))
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		c.Response().Header().Set(echo.HeaderXContentTypeOptions, "nosniff")
		_ = c.JSON(p.Status, p)
	}
}

// StatusClientClosed is logged for a request whose client hung up before
// the answer was ready (nginx's 499): the work stopped because no one
// waited for it, which is no failure of the server.
const StatusClientClosed = 499

// clientGone tells whether err is the request's own context ending
// because its client went away.
func clientGone(c echo.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(c.Request().Context().Err(), context.Canceled)
}

// ProblemFor converts any error to the problem the client sees.
func ProblemFor(err error) Problem {
	var ce *cms.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ce):
		status, ok := statusOf[ce.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		p := newProblem(status, ce.Code, ce.Message, ce.Fields)
		p.Blockers = ce.Blockers
		return p
	case errors.As(err, &he) && he.Code < 500:
		code, ok := codeOfStatus[he.Code]
		if !ok {
			code = cms.CodeInvalid
		}
		detail := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			detail = m
		}
		return newProblem(he.Code, code, detail, nil)
	default:
		return newProblem(http.StatusInternalServerError, cms.CodeInternal, "internal error", nil)
	}
}

func newProblem(status int, code cms.Code, detail string, fields []cms.FieldProblem) Problem {
	return Problem{
		Type:   "about:blank", // the stable code, not the type, tells problems apart
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
		Errors: fields,
	}
}
