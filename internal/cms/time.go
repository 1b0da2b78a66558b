package cms

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// Time is a time.Time in a JSON request: RFC 3339 or refused. A bad value
// is reported as a type error, so that the strict decoder names the field.
type Time struct{ time.Time }

// UnmarshalJSON reads an RFC 3339 string.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[time.Time]()}
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeFor[time.Time]()}
	}
	t.Time = v
	return nil
}

// MarshalJSON writes RFC 3339.
func (t Time) MarshalJSON() ([]byte, error) { return json.Marshal(t.Time) }
