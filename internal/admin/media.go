package admin

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/server"
)

type mediaData struct {
	Assets    []media.Asset
	Total     int
	Offset    int
	Next      int
	CanManage bool
	CanKeep   bool        // may keep an upload's metadata
	Blank     media.Asset // the empty attribution of the upload form
}

const mediaPage = 48

// listMedia is the media library: every asset with its attribution.
func (h *handler) listMedia(c echo.Context) error {
	offset := max(atoi(c.QueryParam("offset")), 0)
	assets, total, err := h.Media.Assets(c.Request().Context(), mediaPage, offset)
	if err != nil {
		return err
	}
	data := mediaData{Assets: assets, Total: total, Offset: offset,
		CanManage: h.Authz.CanSomewhere(actorOf(c), "manage", authz.Media) == nil,
		CanKeep:   h.Authz.CanSomewhere(actorOf(c), "keep_metadata", authz.Media) == nil}
	if offset+len(assets) < total {
		data.Next = offset + mediaPage
	}
	return h.render(c, http.StatusOK, "media.html", "Media library", data)
}

// mediaMetadata reads the attribution fields of an upload or edit form.
func mediaMetadata(c echo.Context) media.Metadata {
	v := func(name string) *string { s := strings.TrimSpace(c.FormValue(name)); return &s }
	return media.Metadata{Alt: v("alt"), Caption: v("caption"), Credit: v("credit"), Licence: v("licence"), SourceURL: v("source_url")}
}

// uploadMedia stores an image with its attribution; the media service
// checks the bytes and asks the enforcer.
func (h *handler) uploadMedia(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return h.redirect(c, "/admin/media", "error", "Choose an image file (PNG, JPEG or GIF) to upload.")
	}
	if err := server.CheckMultipart(c); err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	opts := media.UploadOptions{KeepMetadata: c.FormValue("keep_metadata") != ""}
	a, err := h.Media.Upload(c.Request().Context(), actorOf(c), fh.Filename, f, mediaMetadata(c), opts)
	if err != nil {
		return h.failed(c, "/admin/media", err)
	}
	return h.redirect(c, "/admin/media#asset-"+a.ID, "ok", "Uploaded "+a.Filename+".")
}

func (h *handler) updateMedia(c echo.Context) error {
	a, err := h.Media.Update(c.Request().Context(), actorOf(c), c.Param("id"), mediaMetadata(c))
	if err != nil {
		if cms.IsCode(err, cms.CodeNotFound) {
			return err
		}
		return h.failed(c, "/admin/media", err)
	}
	return h.redirect(c, "/admin/media#asset-"+a.ID, "ok", "Saved the attribution of "+a.Filename+".")
}
