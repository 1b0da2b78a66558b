package apptest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"maps"
	"mime/multipart"
	"slices"
	"testing"
)

// PNG is a small generated w×h PNG with one red pixel.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Form is a multipart/form-data body with the fields (in name order) and,
// unless data is nil, the file in the part "file"; with the header pair
// that announces it, ready for Client.Do.
func Form(t testing.TB, filename string, data []byte, fields map[string]string) (string, []string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if err := mw.WriteField(name, fields[name]); err != nil {
			t.Fatal(err)
		}
	}
	if data != nil {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return body.String(), []string{"Content-Type", mw.FormDataContentType()}
}

// Upload posts the file with the fields to the media library API.
func (c *Client) Upload(filename string, data []byte, fields map[string]string) *Response {
	c.tb().Helper()
	body, header := Form(c.tb(), filename, data, fields)
	return c.Do("POST", "/api/v1/media", body, header...)
}
