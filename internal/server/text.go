package server

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Text is refused at the edge when it holds a NUL byte or bytes that are
// not UTF-8: PostgreSQL refuses both in text columns (a 500 deep inside
// a write) while SQLite stores them, so a SQLite newsroom would hold text
// it could never move to PostgreSQL. One check here keeps both engines
// alike for every route, public ones included.

// CheckText refuses text that is not storable, naming where it was.
func CheckText(where, s string) error {
	if !cms.StorableText(s) {
		return cms.Errorf(cms.CodeInvalid, "%s holds a NUL character or bytes that are not UTF-8", where)
	}
	return nil
}

// CheckValues refuses form or query values (and their names) that are not
// storable text.
func CheckValues(where string, vs url.Values) error {
	for name, values := range vs {
		if err := CheckText(where+" parameter name", name); err != nil {
			return err
		}
		for _, v := range values {
			if err := CheckText(where+" parameter "+strings.ToValidUTF8(name, "?"), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRequestText checks the path, the query and URL-encoded form
// bodies of every request (edge). JSON bodies are checked by DecodeJSON
// and multipart fields by the handlers that read them. A query of plain
// characters, as most are, is checked without parsing it.
func checkRequestText(r *http.Request) error {
	if err := CheckText("the path", r.URL.Path); err != nil {
		return err
	}
	if r.URL.RawQuery != "" && !plainQuery(r.URL.RawQuery) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return cms.Errorf(cms.CodeInvalid, "the query string is malformed: %v", err)
		}
		if err := CheckValues("the query", q); err != nil {
			return err
		}
	}
	if r.Body != nil && r.Body != http.NoBody && isURLEncodedForm(r.Header.Get(echo.HeaderContentType)) {
		if err := r.ParseForm(); err != nil {
			return cms.Errorf(cms.CodeInvalid, "the form is malformed: %v", err)
		}
		if err := CheckValues("the form", r.PostForm); err != nil {
			return err
		}
	}
	return nil
}

func isURLEncodedForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == echo.MIMEApplicationForm
}

// checkJSONText refuses a JSON body holding bytes that are not UTF-8 (the
// decoder would silently turn them into U+FFFD) or a string with the
// escape \u0000. Raw control bytes are already a syntax error.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return cms.Errorf(cms.CodeInvalid, "the JSON body holds bytes that are not UTF-8")
	}
	inString := false
	for i := 0; i < len(body); i++ {
		switch b := body[i]; {
		case b == '"':
			inString = !inString
		case b == '\\' && inString:
			if strings.HasPrefix(string(body[i+1:min(i+6, len(body))]), "u0000") {
				return cms.Errorf(cms.CodeInvalid, "the JSON body holds a NUL character (\\u0000) in a string")
			}
			i++ // skip the escaped character, which may be a quote
		}
	}
	return nil
}

// CheckMultipart refuses a parsed multipart form whose fields or file
// names are not storable text; handlers call it after reading the form.
func CheckMultipart(c echo.Context) error {
	form := c.Request().MultipartForm
	if form == nil {
		return nil
	}
	if err := CheckValues("the form", form.Value); err != nil {
		return err
	}
	for _, files := range form.File {
		for _, fh := range files {
			if err := CheckText("the file name", fh.Filename); err != nil {
				return err
			}
		}
	}
	return nil
}
