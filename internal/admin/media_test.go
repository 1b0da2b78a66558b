package admin_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// upload sends an image through the media library's form.
func upload(t *testing.T, c *apptest.Client, fields map[string]string, want int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	for x := 0; x < 64; x++ {
		img.Set(x, x%36, color.RGBA{R: 200, A: 255})
	}
	var file bytes.Buffer
	if err := png.Encode(&file, img); err != nil {
		t.Fatal(err)
	}
	form := map[string]string{"csrf_token": c.CSRF}
	for k, v := range fields {
		form[k] = v
	}
	body, header := apptest.Form(t, "seoul.png", file.Bytes(), form)
	csrf := c.CSRF
	c.CSRF = ""
	defer func() { c.CSRF = csrf }()
	r := c.Do("POST", "/admin/media", body, header...)
	if r.Status != want {
		t.Fatalf("upload: status %d, want %d: %.2000s", r.Status, want, r.Body)
	}
	return string(r.Body)
}

func TestMediaLibraryAndHero(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		// Writers see the library; assistants and up upload.
		page := get(t, n.writer, "/admin/media", http.StatusOK)
		contains(t, page, "Media library", "No media yet.", "Uploading is for assistants and editors")
		lacks(t, page, "Upload an image")
		page = upload(t, n.writer, nil, http.StatusOK)
		contains(t, page, "flash-error")

		page = upload(t, n.assistant, map[string]string{"alt": "Foreign ministers shake hands",
			"credit": "Creative Commons image from Flickr account of Republic of Korea", "licence": "CC-BY-SA-2.0"}, http.StatusOK)
		contains(t, page, "Uploaded seoul.png.", "64×36", "Creative Commons image from Flickr account of Republic of Korea · CC-BY-SA-2.0")
		assets := n.assistant.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).JSON()["data"].([]any)
		id := assets[0].(map[string]any)["id"].(string)
		page = post(t, n.assistant, "/admin/media/"+id, url.Values{"alt": {"Two ministers"}, "credit": {"Creative Commons image from Flickr account of Republic of Korea"},
			"licence": {"CC-BY-SA-2.0"}}, http.StatusOK)
		contains(t, page, "Saved the attribution of seoul.png.", `alt="Two ministers"`)

		// The writer picks it as the hero; the preview prints its credit and licence.
		d := create(t, n.writer)
		page = get(t, n.writer, "/admin/documents/"+d.ID, http.StatusOK)
		contains(t, page, `<input type="radio" id="f-hero-`+id+`" name="hero" value="`+id+`">`,
			`<img class="thumb" src="/api/v1/media/`+id+`/file" alt="" loading="lazy" width="64" height="36">`, "seoul.png — Two ministers (CC-BY-SA-2.0)", `data-hero-search`)
		form := editorForm()
		form.Set("version", "1")
		form.Set("hero", id)
		post(t, n.writer, "/admin/documents/"+d.ID, form, http.StatusOK)
		page = get(t, n.writer, "/admin/documents/"+d.ID+"/page", http.StatusOK)
		contains(t, page, `src="/api/v1/media/`+id+`/file"`, `alt="Two ministers"`,
			"Creative Commons image from Flickr account of Republic of Korea", ">Creative Commons Attribution Share Alike 2.0 Generic</a>")
		n.writer.Do("GET", "/api/v1/media/"+id+"/file", nil).Want(http.StatusOK)
	})
}

// TestMediaLibraryKeepsMetadataForEditors: the upload form says that
// metadata goes; only editors are offered, and allowed, to keep it.
func TestMediaLibraryKeepsMetadataForEditors(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		page := get(t, n.assistant, "/admin/media", http.StatusOK)
		contains(t, page, "Metadata (EXIF with its GPS position, XMP, text) is removed")
		lacks(t, page, `name="keep_metadata"`)
		page = upload(t, n.assistant, map[string]string{"keep_metadata": "true"}, http.StatusOK)
		contains(t, page, "flash-error", "not allowed: keep_metadata")
		lacks(t, page, "metadata kept")

		contains(t, get(t, n.editor, "/admin/media", http.StatusOK), `name="keep_metadata"`)
		page = upload(t, n.editor, map[string]string{"keep_metadata": "true"}, http.StatusOK)
		contains(t, page, "Uploaded seoul.png.", "64×36 · image/png · metadata kept")
		assets := n.editor.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).JSON()["data"].([]any)
		if len(assets) != 1 || assets[0].(map[string]any)["metadata_kept"] != true {
			t.Errorf("assets %v", assets)
		}
	})
}
