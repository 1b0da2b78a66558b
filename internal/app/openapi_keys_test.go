package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/apidoc"
)

// TestOpenAPIHasNoDuplicateKeys: JSON parsers keep the last of two equal
// keys in an object, so a second "components" (or a path written twice)
// silently hides the first from every generator.
func TestOpenAPIHasNoDuplicateKeys(t *testing.T) {
	t.Parallel()
	dec := json.NewDecoder(bytes.NewReader(apidoc.Document))
	if err := uniqueKeys(dec, "$"); err != nil {
		t.Fatal(err)
	}
}

// uniqueKeys reads one JSON value from dec, failing on an object with a
// key twice; at is the value's path, for the message.
func uniqueKeys(dec *json.Decoder, at string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key := k.(string)
			if seen[key] {
				return &duplicateKey{at: at, key: key}
			}
			seen[key] = true
			if err := uniqueKeys(dec, at+"."+key); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	case json.Delim('['):
		for dec.More() {
			if err := uniqueKeys(dec, at+"[]"); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	}
	if err == io.EOF {
		err = nil
	}
	return err
}

type duplicateKey struct{ at, key string }

func (d *duplicateKey) Error() string {
	return "openapi.json: " + strings.TrimPrefix(d.at, "$.") + " has the key " + d.key + " twice"
}
