package management

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/server"
)

// uploadMedia takes a multipart form: the image in "file" and, optionally,
// alt, caption, credit, licence, source_url and keep_metadata.
func (h *handler) uploadMedia(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &tooBig) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
			return cms.Errorf(cms.CodeTooLarge, "files may be at most %d bytes", h.Media.MaxSize())
		}
		return cms.Invalid("file", "send the image as the multipart form field \"file\"")
	}
	if err := server.CheckMultipart(c); err != nil {
		return err
	}
	opts, err := uploadOptions(c)
	if err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := h.Media.Upload(c.Request().Context(), actorOf(c), fh.Filename, f, metadataFromForm(c), opts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

func metadataFromForm(c echo.Context) media.Metadata {
	var m media.Metadata
	for name, dst := range map[string]**string{"alt": &m.Alt, "caption": &m.Caption, "credit": &m.Credit, "licence": &m.Licence, "source_url": &m.SourceURL} {
		if vs, ok := c.Request().MultipartForm.Value[name]; ok && len(vs) > 0 {
			v := vs[0]
			*dst = &v
		}
	}
	return m
}

// uploadOptions reads keep_metadata: "true" or "false" (the default).
func uploadOptions(c echo.Context) (media.UploadOptions, error) {
	vs := c.Request().MultipartForm.Value["keep_metadata"]
	if len(vs) == 0 || vs[0] == "false" {
		return media.UploadOptions{}, nil
	}
	if vs[0] != "true" {
		return media.UploadOptions{}, cms.Invalid("keep_metadata", "must be true or false")
	}
	return media.UploadOptions{KeepMetadata: true}, nil
}

func (h *handler) listMedia(c echo.Context) error {
	limit, offset, err := pageParams(c, 50, 200)
	if err != nil {
		return err
	}
	list, total, err := h.Media.Assets(c.Request().Context(), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list, "total": total})
}

func (h *handler) getMedia(c echo.Context) error {
	a, err := h.Media.Asset(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (h *handler) updateMedia(c echo.Context) error {
	var in media.Metadata
	if err := decode(c, &in); err != nil {
		return err
	}
	a, err := h.Media.Update(c.Request().Context(), actorOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

// mediaFile serves an asset's bytes to staff, whatever its documents'
// state, for editors and previews.
func (h *handler) mediaFile(c echo.Context) error {
	a, f, err := h.Media.Open(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	defer f.Close()
	media.Serve(c.Response(), c.Request(), a, f, "private, max-age=300")
	return nil
}

// mediaVariantFile serves one of an asset's variants (by its SHA-256) to
// staff, as mediaFile does the original: where the editor's preview
// points a hero's srcset.
func (h *handler) mediaVariantFile(c echo.Context) error {
	a, f, err := h.Media.OpenVariant(c.Request().Context(), c.Param("id"), c.Param("key"))
	if err != nil {
		return err
	}
	defer f.Close()
	media.Serve(c.Response(), c.Request(), a, f, "private, max-age=300")
	return nil
}
