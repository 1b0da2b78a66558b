package wordpress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/masthead-cms/masthead/internal/media"
)

// attachments makes each attachment a media asset, with its alt text,
// caption and title; the file comes from the media folder or, when asked,
// over HTTP. A file that cannot be had is reported, not fatal.
func (r *run) attachments() error {
	for _, it := range r.sc.attachments {
		if err := r.attachment(it); err != nil {
			return err
		}
		r.progress()
	}
	return nil
}

// attachmentMeta is what an asset is made from, besides its bytes.
type attachmentMeta struct {
	URL, Alt, Caption, Title string
}

func (r *run) attachment(it *Item) error {
	url := strings.TrimSpace(it.AttachmentURL)
	if url == "" {
		url = strings.TrimSpace(it.GUID)
	}
	m := attachmentMeta{URL: url, Alt: it.MetaValue("_wp_attachment_image_alt"), Caption: plainText(it.Excerpt()), Title: it.Title}
	sum := digest(m)
	if rec, ok := r.records["attachment/"+it.ID]; ok && r.im.d.Media.Exists(r.ctx, rec.TargetID) == nil {
		r.keepAsset(it.ID, url, rec.TargetID)
		if rec.Digest == sum {
			r.report.MediaUnchanged++
			return nil
		}
		r.report.Media++
		if r.opt.DryRun {
			return nil
		}
		if _, err := r.im.d.Media.Update(r.ctx, r.actor, rec.TargetID, m.metadata()); err != nil {
			r.report.skip(it, "attachment: "+err.Error())
			return nil
		}
		return r.remember(Record{Source: r.source, Kind: "attachment", Key: it.ID, TargetID: rec.TargetID, Digest: sum})
	}
	data, err := r.mediaFile(url)
	if err != nil {
		r.report.skip(it, "attachment: "+err.Error())
		return nil
	}
	r.report.Media++
	if r.opt.DryRun {
		r.keepAsset(it.ID, url, "dry-run-"+it.ID)
		return nil
	}
	a, err := r.im.d.Media.Upload(r.ctx, r.actor, path.Base(mediaPath(url)), bytes.NewReader(data), m.metadata(), media.UploadOptions{})
	if err != nil {
		r.report.Media--
		r.report.skip(it, "attachment: "+err.Error())
		return nil
	}
	r.keepAsset(it.ID, url, a.ID)
	return r.remember(Record{Source: r.source, Kind: "attachment", Key: it.ID, TargetID: a.ID, Digest: sum})
}

func (m attachmentMeta) metadata() media.Metadata {
	cut := func(s string, n int) *string {
		if r := []rune(strings.TrimSpace(s)); len(r) > n {
			s = string(r[:n])
		}
		return &s
	}
	alt := m.Alt
	if strings.TrimSpace(alt) == "" {
		alt = m.Title
	}
	source := m.URL
	if !strings.HasPrefix(source, "http://") && !strings.HasPrefix(source, "https://") {
		source = ""
	}
	return media.Metadata{Alt: cut(alt, 500), Caption: cut(m.Caption, 2000), SourceURL: cut(source, 2000)}
}

func (r *run) keepAsset(id, url, assetID string) {
	r.assets[id] = assetID
	if p := mediaPath(url); p != "" {
		r.assetByPath[p] = assetID
	}
}

// mediaFile reads an attachment's file from the media folder, matched by
// the URL's path below wp-content/uploads, or fetches it.
func (r *run) mediaFile(url string) ([]byte, error) {
	rel := mediaPath(url)
	if r.opt.MediaDir != "" && rel != "" {
		clean := filepath.Clean("/" + rel)[1:] // no way out of the folder
		data, err := os.ReadFile(filepath.Join(r.opt.MediaDir, filepath.FromSlash(clean)))
		if err == nil {
			return data, nil
		}
		if !r.opt.FetchMedia {
			return nil, fmt.Errorf("no file %s in the media folder", clean)
		}
	}
	if !r.opt.FetchMedia {
		return nil, fmt.Errorf("file not imported (give --media-dir or --fetch-media)")
	}
	if r.opt.DryRun {
		return nil, nil
	}
	body, err := r.im.d.Fetch(r.ctx, url)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %v", url, err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, r.im.d.Media.MaxSize()+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %v", url, err)
	}
	return data, nil
}

// sizeSuffix is WordPress's resized copy of an image: photo-300x200.jpg.
var sizeSuffix = regexp.MustCompile(`-\d+x\d+(\.[A-Za-z0-9]+)$`)

// imageURL is Masthead's URL for an image of the old site, "" when it is
// not one of the imported attachments.
func (r *run) imageURL(src string) string {
	p := mediaPath(src)
	id, ok := r.assetByPath[p]
	if !ok {
		id, ok = r.assetByPath[sizeSuffix.ReplaceAllString(p, "$1")]
	}
	if !ok || r.im.d.MediaURL == nil || strings.HasPrefix(id, "dry-run-") {
		return ""
	}
	return r.im.d.MediaURL(id)
}
