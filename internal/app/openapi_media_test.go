package app_test

import (
	"bytes"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// uploadLimit is the largest media file in TestOpenAPIResponsesMatchDocument.
const uploadLimit = 64 << 10

// checkMediaCalls plays media (issue 6) through the contract: uploads as
// multipart forms, refused for who may not upload, for bytes that are not
// an image (whatever the name says), for bad attribution and for files
// over the limit; the list, one asset, its attribution changed; the file
// for staff (whole, a range, not modified); and the public file, 404 until
// a live document shows the asset as its hero, then served with the hero's
// attribution in delivery, then 404 again once it is unpublished.
func checkMediaCalls(t *testing.T, env *apptest.Env, k *contract) {
	t.Helper()
	anon := env.Anonymous()
	assistant := env.CreateUser("media-assistant@example.org", "assistant:korea-view")
	author := env.CreateUser("media-author@example.org", "author:korea-view")
	editor := env.CreateUser("media-editor@example.org", "editor:korea-view")
	publisher := env.CreateUser("media-publisher@example.org", "publisher:korea-view")
	upload := func(c *apptest.Client, filename string, data []byte, fields map[string]string, want int) *apptest.Response {
		t.Helper()
		body, header := apptest.Form(t, filename, data, fields)
		return k.do(c, "POST", "/api/v1/media", body, want, header...)
	}
	attribution := map[string]string{
		"alt":        "The foreign ministers of South Korea and China shake hands",
		"caption":    "Talks in Xiamen, April 2021",
		"credit":     "Creative Commons image from Flickr account of Republic of Korea",
		"licence":    "CC-BY-SA-2.0",
		"source_url": "https://www.flickr.com/photos/koreanet/",
	}

	// What is refused.
	picture := apptest.PNG(t, 40, 30)
	upload(author, "hero.png", picture, nil, http.StatusForbidden)
	upload(publisher, "hero.png", picture, nil, http.StatusForbidden)
	forged := upload(assistant, "forged.png", []byte("<html><script>alert(1)</script></html>"), nil, http.StatusUnsupportedMediaType)
	if p := forged.JSON(); p["code"] != "unsupported_media" {
		t.Errorf("forged upload: %s", forged.Body)
	}
	upload(assistant, "truncated.png", picture[:40], nil, http.StatusBadRequest)
	upload(assistant, "hero.png", picture, map[string]string{"licence": "CC BY; DROP"}, http.StatusBadRequest)
	upload(assistant, "hero.png", picture, map[string]string{"source_url": "javascript:alert(1)"}, http.StatusBadRequest)
	upload(assistant, "", nil, attribution, http.StatusBadRequest) // no file part
	upload(assistant, "big.png", bytes.Repeat([]byte{0x89}, uploadLimit+1), nil, http.StatusRequestEntityTooLarge)
	body, header := apptest.Form(t, "hero.png", picture, nil)
	csrf := assistant.CSRF
	assistant.CSRF = ""
	k.do(assistant, "POST", "/api/v1/media", body, http.StatusForbidden, header...)
	assistant.CSRF = csrf
	k.do(anon, "POST", "/api/v1/media", body, http.StatusUnauthorized, header...)

	// Stored, with an unknown part ignored ("additionalProperties": true).
	withExtra := maps.Clone(attribution)
	withExtra["zz_not_a_field"] = "ignored"
	var asset struct {
		ID       string `json:"id"`
		Filename string `json:"filename"`
		MIME     string `json:"mime"`
		Width    int    `json:"width"`
		Licence  string `json:"licence"`
		Caption  string `json:"caption"`
	}
	upload(assistant, "../photos/hero.png", picture, withExtra, http.StatusCreated).Decode(&asset)
	if asset.Filename != "hero.png" || asset.MIME != "image/png" || asset.Width != 40 || asset.Licence != "CC-BY-SA-2.0" {
		t.Errorf("uploaded asset: %+v", asset)
	}
	var list struct {
		Data  []map[string]any `json:"data"`
		Total int              `json:"total"`
	}
	k.do(author, "GET", "/api/v1/media", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || len(list.Data) != 1 || list.Data[0]["id"] != asset.ID {
		t.Errorf("media list after refused uploads and one stored: %+v", list)
	}
	k.do(author, "GET", "/api/v1/media?limit=1&offset=1", nil, http.StatusOK)
	k.do(anon, "GET", "/api/v1/media", nil, http.StatusUnauthorized)
	k.do(author, "GET", "/api/v1/media/"+asset.ID, nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/media/no-such-asset", nil, http.StatusNotFound)

	// Attribution changed; null and absent fields stay.
	media := "/api/v1/media/" + asset.ID
	k.do(editor, "PATCH", media, map[string]any{"licence": "CC-BY-2.0", "caption": nil}, http.StatusOK).Decode(&asset)
	if asset.Licence != "CC-BY-2.0" || asset.Caption != attribution["caption"] {
		t.Errorf("after PATCH: %+v", asset)
	}
	k.do(editor, "PATCH", media, map[string]any{"licence": "not a licence"}, http.StatusBadRequest)
	k.do(editor, "PATCH", media, map[string]any{"alt": 5}, http.StatusBadRequest)
	k.do(author, "PATCH", media, map[string]any{"alt": "Mine"}, http.StatusForbidden)
	k.do(editor, "PATCH", "/api/v1/media/no-such-asset", map[string]any{"alt": "?"}, http.StatusNotFound)

	// The file for staff: whole, a range of it, not modified.
	file := k.do(author, "GET", media+"/file", nil, http.StatusOK)
	if ct := file.Header.Get("Content-Type"); ct != "image/png" || !bytes.Equal(file.Body, picture) {
		t.Errorf("staff file: Content-Type %q, %d bytes", ct, len(file.Body))
	}
	if part := k.do(author, "GET", media+"/file", nil, http.StatusPartialContent, "Range", "bytes=0-7"); !bytes.Equal(part.Body, picture[:8]) {
		t.Errorf("staff file, bytes 0-7: %q", part.Body)
	}
	k.do(author, "GET", media+"/file", nil, http.StatusNotModified, "If-Modified-Since", file.Header.Get("Last-Modified"))
	k.do(author, "GET", "/api/v1/media/no-such-asset/file", nil, http.StatusNotFound)
	k.do(anon, "GET", media+"/file", nil, http.StatusUnauthorized)

	// The public file: only while a live document shows it.
	publicFile := "/media/" + asset.ID
	k.do(anon, "GET", publicFile, nil, http.StatusNotFound)
	k.do(anon, "GET", "/media/no-such-asset", nil, http.StatusNotFound)
	var d struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	k.do(author, "POST", "/api/v1/documents", map[string]any{
		"type": "briefing", "series": "korea-view", "title": "Ministers Meet in Xiamen", "hero": asset.ID,
		"fields": map[string]any{"summary": "S", "what_happened": []string{"They met."}, "implications": "I"},
	}, http.StatusCreated).Decode(&d)
	k.do(anon, "GET", publicFile, nil, http.StatusNotFound) // a draft shows it
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}, http.StatusOK)
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}, http.StatusOK)
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}, http.StatusOK)
	var delivered struct {
		Hero struct {
			URL     string `json:"url"`
			Licence string `json:"licence"`
		} `json:"hero"`
	}
	k.do(anon, "GET", "/delivery/v1/documents/korea-view/"+d.Slug, nil, http.StatusOK).Decode(&delivered)
	if !strings.HasSuffix(delivered.Hero.URL, publicFile) || delivered.Hero.Licence != "CC-BY-2.0" {
		t.Errorf("delivered hero: %+v", delivered.Hero)
	}
	live := k.do(anon, "GET", publicFile, nil, http.StatusOK)
	if !bytes.Equal(live.Body, picture) || live.Header.Get("Content-Type") != "image/png" {
		t.Errorf("public file: Content-Type %q, %d bytes", live.Header.Get("Content-Type"), len(live.Body))
	}
	k.do(anon, "GET", publicFile, nil, http.StatusNotModified, "If-Modified-Since", live.Header.Get("Last-Modified"))
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unpublish"}, http.StatusOK)
	k.do(anon, "GET", publicFile, nil, http.StatusNotFound)
}
