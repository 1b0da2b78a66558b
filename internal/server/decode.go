package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
)

// DecodeJSON reads a JSON body into v strictly: malformed JSON, an unknown
// field, a value of the wrong type, trailing data, a NUL character or
// bytes that are not UTF-8 are 400 problems that name what is wrong; a
// body over the limit is 413.
func DecodeJSON(c echo.Context, v any) error {
	// The Content-Type is not checked: the body is JSON or refused, and
	// CSRF is stopped by the token, not by the media type.
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return decodeError(err)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return cms.Errorf(cms.CodeInvalid, "the body must hold one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var he *echo.HTTPError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge,
		errors.As(err, &tooBig):
		return cms.Errorf(cms.CodeTooLarge, "the request body is too large")
	case errors.Is(err, io.EOF):
		return cms.Errorf(cms.CodeInvalid, "the request body is empty; send a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return cms.Errorf(cms.CodeInvalid, "malformed JSON: %v", err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		want := jsonKind(typ.Type.Kind().String())
		if typ.Type == reflect.TypeFor[time.Time]() {
			want = "an RFC 3339 date-time such as 2026-11-27T18:00:00Z"
		}
		return cms.Invalid(field, fmt.Sprintf("must be %s, not %s", want, typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cms.Invalid(name, "unknown field")
	default:
		return cms.Errorf(cms.CodeInvalid, "invalid JSON: %v", err)
	}
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	}
	return "a " + kind
}
