package media_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/gif"
	"image/jpeg"
	"net/http"
	"runtime"
	"sync"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

type storedAsset struct {
	ID, MIME, SHA256 string
	Size             int
	Width, Height    int
	MetadataKept     bool `json:"metadata_kept"`
}

// newsroom is apptest's newsroom: Korea View with a writer, an assistant,
// an editor and a publisher.
type newsroom struct {
	env                       *apptest.Env
	writer, assistant, editor *apptest.Client
	publisher                 *apptest.Client
}

func newNewsroom(t *testing.T, env *apptest.Env) newsroom {
	t.Helper()
	n := apptest.NewNewsroom(t, env)
	return newsroom{env: env, writer: n.Writer, assistant: n.Assistant, editor: n.Editor, publisher: n.Publisher}
}

// publicFile publishes a briefing with the asset as its hero and returns
// the file as anyone gets it.
func (n newsroom) publicFile(t *testing.T, id string) []byte {
	t.Helper()
	// The publish gates ask a hero for a licence and alt text.
	n.editor.Do("PATCH", "/api/v1/media/"+id, map[string]any{"alt": "A photo", "licence": "CC0-1.0"}).Want(http.StatusOK)
	var d struct{ ID string }
	n.writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "title": "Briefing " + id, "hero": id,
		"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&d)
	for _, step := range []struct {
		c      *apptest.Client
		action string
	}{{n.writer, "submit"}, {n.editor, "approve"}, {n.publisher, "publish"}} {
		step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
	}
	return n.env.Anonymous().Do("GET", "/media/"+id, nil).Want(http.StatusOK).Body
}

// leaks names what of a camera's metadata is still in b.
func leaks(b []byte) []string {
	var out []string
	for _, s := range []string{"Exif\x00\x00", "II*\x00", media.XMP, "Kaesong", "safe house", "8BIM", "GPS", "eXIf", "tEXt"} {
		if bytes.Contains(b, []byte(s)) {
			out = append(out, s)
		}
	}
	return out
}

func checkStored(t *testing.T, a storedAsset, file []byte) {
	t.Helper()
	sum := sha256.Sum256(file)
	if a.SHA256 != hex.EncodeToString(sum[:]) || a.Size != len(file) {
		t.Errorf("asset %+v does not describe the %d bytes served", a, len(file))
	}
}

// TestUploadsLoseTheirMetadata: what readers get carries no EXIF, GPS
// position, XMP, IPTC, comment or text, is upright, and keeps its colour
// profile; an editor may keep the original, an assistant may not.
func TestUploadsLoseTheirMetadata(t *testing.T) {
	t.Parallel()
	photo := media.HalvesJPEG(40, 30, media.CameraSegments(6)...) // stored on its side, shown 30×40
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		n := newNewsroom(t, apptest.New(t, db))

		var a storedAsset
		upload(t, n.assistant, "kaesong.jpg", photo, nil).Want(http.StatusCreated).Decode(&a)
		if a.Width != 30 || a.Height != 40 || a.MetadataKept || a.MIME != "image/jpeg" {
			t.Errorf("asset %+v", a)
		}
		file := n.publicFile(t, a.ID)
		checkStored(t, a, file)
		if l := leaks(file); len(l) > 0 {
			t.Errorf("the public file still carries %q", l)
		}
		if !bytes.Contains(file, media.ICC("RGB ")) {
			t.Error("the colour profile went")
		}
		img, err := jpeg.Decode(bytes.NewReader(file))
		if err != nil || img.Bounds() != image.Rect(0, 0, 30, 40) {
			t.Fatalf("public file: %v, %v", err, img.Bounds())
		}
		// Turned clockwise: the left half (red) is now on top.
		if r, _, b, _ := img.At(15, 5).RGBA(); r>>8 < 150 || b>>8 > 100 {
			t.Errorf("top is %v, want red", img.At(15, 5))
		}
		if r, _, b, _ := img.At(15, 35).RGBA(); b>>8 < 150 || r>>8 > 100 {
			t.Errorf("bottom is %v, want blue", img.At(15, 35))
		}

		// A PNG loses its text and EXIF chunks, losslessly, and keeps its
		// profile.
		clean := media.HalvesPNG(8, 6, media.ICCPChunk("RGB "))
		dirty := media.InsertChunks(clean, media.Chunk("tEXt", []byte("GPS\x0037.97N 126.55E")), media.Chunk("eXIf", media.EXIF(1)))
		upload(t, n.assistant, "map.png", dirty, nil).Want(http.StatusCreated).Decode(&a)
		if got := n.publicFile(t, a.ID); !bytes.Equal(got, clean) || a.Width != 8 || a.Height != 6 {
			t.Errorf("PNG served %q (%+v)", got, a)
		}
		// A PNG turned by its eXIf is encoded again, losslessly, upright.
		upload(t, n.assistant, "turned.png", media.HalvesPNG(8, 6, media.ICCPChunk("RGB "), media.Chunk("eXIf", media.EXIF(8))), nil).
			Want(http.StatusCreated).Decode(&a)
		if got := n.publicFile(t, a.ID); len(leaks(got)) > 0 || !bytes.Contains(got, []byte("iCCP")) || a.Width != 6 || a.Height != 8 {
			t.Errorf("turned PNG (%+v) carries %q", a, leaks(got))
		}

		// A GIF loses its comments and XMP, keeps its loop count, and is as
		// large as its frames, not its logical screen.
		anim := media.HandGIF(4, 4, [][]byte{media.GIFExtension(0xFE, []byte("shot from the safe house")),
			media.GIFExtension(0xFF, []byte("NETSCAPE2.0"), []byte{1, 0, 0}), media.GIFExtension(0xFF, []byte("XMP DataXMP"), []byte("Kaesong"))},
			media.GIFFrame{W: 4, H: 4}, media.GIFFrame{Left: 10, W: 50, H: 20})
		upload(t, n.assistant, "anim.gif", anim, nil).Want(http.StatusCreated).Decode(&a)
		got := n.publicFile(t, a.ID)
		all, err := gif.DecodeAll(bytes.NewReader(got))
		if err != nil || a.Width != 60 || a.Height != 20 || len(all.Image) != 2 || all.LoopCount != 0 || len(leaks(got)) > 0 {
			t.Errorf("GIF %+v: %v, carries %q", a, err, leaks(got))
		}

		// Keeping the original is an editor's call.
		before := n.assistant.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).JSON()["total"]
		upload(t, n.assistant, "kaesong.jpg", photo, map[string]string{"keep_metadata": "true"}).Want(http.StatusForbidden)
		upload(t, n.editor, "kaesong.jpg", photo, map[string]string{"keep_metadata": "yes"}).Want(http.StatusBadRequest)
		if after := n.assistant.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).JSON()["total"]; after != before {
			t.Errorf("refused uploads changed the library: %v assets, then %v", before, after)
		}
		upload(t, n.editor, "kaesong.jpg", photo, map[string]string{"keep_metadata": "true"}).Want(http.StatusCreated).Decode(&a)
		if !a.MetadataKept || a.Width != 30 || a.Height != 40 {
			t.Errorf("kept asset %+v", a)
		}
		n.assistant.Do("GET", "/api/v1/media/"+a.ID, nil).Want(http.StatusOK).Decode(&a)
		if file := n.publicFile(t, a.ID); !bytes.Equal(file, photo) || !a.MetadataKept {
			t.Errorf("the kept original was changed (%+v)", a)
		}
		upload(t, n.editor, "clean.jpg", photo, map[string]string{"keep_metadata": "false"}).Want(http.StatusCreated).Decode(&a)
		if a.MetadataKept {
			t.Errorf("keep_metadata=false kept it: %+v", a)
		}
	})
}

// allocated returns the bytes allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecompressionBombs: what an image takes decoded is bounded by its
// bit depth, not only its pixels, and checked before anything is decoded;
// PNG and GIF pixels are checked without holding the image.
func TestDecompressionBombs(t *testing.T) {
	rgba64 := media.ZeroPNG(7745, 7745, 6, 16) // 60 megapixels of 8 bytes: 480 MB decoded
	gray16 := media.ZeroPNG(7745, 7745, 0, 16) // 120 MB decoded, within the default budget
	if len(rgba64) > 1<<20 || len(gray16) > 1<<20 {
		t.Fatalf("bombs of %d and %d bytes", len(rgba64), len(gray16))
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		n := newNewsroom(t, env)
		var resp *apptest.Response
		if got := allocated(func() { resp = upload(t, n.assistant, "bomb.png", rgba64, nil) }); got > 64<<20 {
			t.Errorf("refusing the bomb allocated %d MB", got>>20)
		}
		resp.Want(http.StatusRequestEntityTooLarge)
		var a storedAsset
		// Checking streams (64 MB at most); making its variants decodes it
		// whole, within the decoding budget.
		if got := allocated(func() { resp = upload(t, n.assistant, "grey.png", gray16, nil) }); got > 64<<20+media.DefaultDecodeLimit {
			t.Errorf("checking a 16-bit grey PNG and making its variants allocated %d MB", got>>20)
		}
		resp.Want(http.StatusCreated).Decode(&a)
		if a.Width != 7745 || a.Height != 7745 {
			t.Errorf("grey PNG %+v", a)
		}
		// A tiny logical screen does not hide a huge frame.
		upload(t, n.assistant, "screen.gif", media.HandGIF(1, 1, nil, media.GIFFrame{W: 9000, H: 9000, Pix: []byte{0}}), nil).Want(http.StatusBadRequest)
	})
}

// TestDecodeBudget: images are refused when they would take more than
// MASTHEAD_DECODE_LIMIT decoded, and those within it are decoded in turn.
func TestDecodeBudget(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.DecodeLimit = 1 << 20 }})
		n := newNewsroom(t, env)
		// 1,000×800 at 1.5 bytes a pixel is more than 1 MiB; so are 30
		// frames of 200×200, though only the first would be decoded to check it.
		upload(t, n.assistant, "big.jpg", media.HalvesJPEG(1000, 800), nil).Want(http.StatusRequestEntityTooLarge)
		frames := make([]media.GIFFrame, 30)
		for i := range frames {
			frames[i] = media.GIFFrame{W: 200, H: 200}
		}
		upload(t, n.assistant, "frames.gif", media.HandGIF(200, 200, nil, frames...), nil).Want(http.StatusRequestEntityTooLarge)
		if total := n.assistant.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).JSON()["total"]; total != float64(0) {
			t.Errorf("refused bombs left %v assets", total)
		}
		// Within the budget, uploads decoded at once wait for each other
		// and all succeed.
		photo := media.HalvesJPEG(400, 300, media.CameraSegments(6)...) // 0.5 MiB to decode and turn
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if r := upload(t, n.assistant, "ok.jpg", photo, nil); r.Status != http.StatusCreated {
					t.Errorf("concurrent upload: %d %s", r.Status, r.Body)
				}
			})
		}
		wg.Wait()
	})
}
