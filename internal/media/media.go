// Package media owns uploaded files and their attribution: it checks what
// is uploaded (size, real type, decodable image, the memory decoding it
// takes), strips its metadata (EXIF, GPS, XMP, text) and turns it upright,
// keeps the bytes in blob storage (a local folder or an S3-compatible
// bucket) under their SHA-256, and the facts and credits in the store. A
// file is public only while a live document shows it. It imports cms and
// authz (and x/sync's semaphore, and minio-go for buckets) only.
package media

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
)

// Asset is a stored file with its attribution.
type Asset struct {
	ID        string `json:"id"`
	Filename  string `json:"filename"`
	MIME      string `json:"mime"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Alt       string `json:"alt"`
	Caption   string `json:"caption"`
	Credit    string `json:"credit"`
	Licence   string `json:"licence"`
	SourceURL string `json:"source_url"`
	// MetadataKept is true when an editor kept the file as uploaded, with
	// its EXIF (GPS position included), XMP and text; otherwise they were
	// stripped and the image turned upright.
	MetadataKept bool `json:"metadata_kept"`
	// Focal is where the social crop is centred; the centre unless an
	// editor placed it.
	Focal Focal `json:"focal"`
	// Variants are the resized copies (narrowest first) and the social
	// crop; empty for an asset stored before variants were made.
	Variants   []Variant `json:"variants"`
	UploaderID string    `json:"uploader_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Metadata is the attribution a person gives; nil fields stay.
type Metadata struct {
	Alt       *string `json:"alt"`
	Caption   *string `json:"caption"`
	Credit    *string `json:"credit"`
	Licence   *string `json:"licence"`
	SourceURL *string `json:"source_url"`
	// Focal moves the social crop; it is cut again from the original.
	Focal *FocalInput `json:"focal"`
}

// LiveUse is a live document that shows an asset as its hero. Its series
// decides who may change the attribution it shows.
type LiveUse struct {
	DocumentID   string
	SeriesPath   string // the authorization domain, "parent/child"
	State        string // the document's workflow state
	HeadRevision int
}

// EventUpdate is the action of the event an attribution change leaves in
// the history of each live document showing the asset.
const EventUpdate = "media.update"

// HistoryEvent is an entry for a document's history (its workflow
// events): the document's state does not change.
type HistoryEvent struct {
	DocumentID string
	Action     string
	State      string
	Revision   int
	ActorID    string
	Note       string
	At         time.Time
}

// Store keeps assets' records.
type Store interface {
	CreateAsset(ctx context.Context, a Asset, ev cms.AuditEvent) error
	// UpdateAsset writes an asset's attribution with its audit event and
	// the history events of the documents showing it.
	UpdateAsset(ctx context.Context, a Asset, ev cms.AuditEvent, history []HistoryEvent) error
	// FindLiveShowing lists the live documents that show the asset.
	FindLiveShowing(ctx context.Context, id string) ([]LiveUse, error)
	// AssetTx runs fn in one transaction.
	AssetTx(ctx context.Context, fn func(tx Store) error) error
	FindAsset(ctx context.Context, id string) (Asset, error)
	FindAssets(ctx context.Context, limit, offset int) ([]Asset, int, error)
	// AssetIsLive reports whether a live document shows the asset.
	AssetIsLive(ctx context.Context, id string) (bool, error)
	// AssetHoldsBlob reports whether an asset keeps its bytes under key.
	AssetHoldsBlob(ctx context.Context, key string) (bool, error)
	// EachAsset calls fn with every asset.
	EachAsset(ctx context.Context, fn func(Asset) error) error
	// PutVariants records an asset's variants, replacing those it had of
	// the same kinds.
	PutVariants(ctx context.Context, assetID string, vs []Variant, at time.Time) error
}

// Blobs keeps files' bytes under their SHA-256: a local Folder or an
// S3-compatible Bucket.
type Blobs interface {
	// Put stores data under key unless a blob is there already (a key
	// names its bytes: nothing is overwritten).
	Put(ctx context.Context, key string, data []byte) error
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
	// List calls fn with every blob.
	List(ctx context.Context, fn func(BlobInfo) error) error
	// Ping checks that the storage answers, for readiness.
	Ping(ctx context.Context) error
}

// BlobInfo is a stored blob as a listing shows it.
type BlobInfo struct {
	Key     string
	Written time.Time
}

// Authorizer is the enforcer as media sees it.
type Authorizer interface {
	CanSomewhere(actor cms.Actor, act string, obj authz.Object) error
	CanInEach(actor cms.Actor, act string, obj authz.Object, series []string, why string) error
}

// Watcher is told after an asset's attribution changed, so that what
// shows it is rendered again.
type Watcher func(ctx context.Context, assetID string) error

// Service is the media use cases.
type Service struct {
	store   Store
	blobs   Blobs
	authz   Authorizer
	maxSize int64
	decoder *decoder
	changed Watcher
}

// Limits bound uploads.
type Limits struct {
	// Size is the largest file, in bytes.
	Size int64
	// Decoded is the most memory, in bytes, that decoding one image may
	// take, and that the images this service decodes at once take
	// together; 0 is DefaultDecodeLimit.
	Decoded int64
}

// NewService returns a Service accepting files within lim; changed (nil
// for nothing) runs after an asset's attribution changed.
func NewService(store Store, blobs Blobs, az Authorizer, lim Limits, changed Watcher) *Service {
	if lim.Decoded <= 0 {
		lim.Decoded = DefaultDecodeLimit
	}
	return &Service{store: store, blobs: blobs, authz: az, maxSize: lim.Size, decoder: newDecoder(lim.Decoded), changed: changed}
}

// MaxSize is the largest file accepted.
func (s *Service) MaxSize() int64 { return s.maxSize }

// UploadOptions are how an upload is stored.
type UploadOptions struct {
	// KeepMetadata stores the file as uploaded, its EXIF, GPS position,
	// XMP and text included, for whoever may keep metadata (editors and
	// admins). Otherwise they are stripped, the image is turned upright
	// as its EXIF orientation says, and its colour profile stays.
	KeepMetadata bool
}

// Upload stores a file with its attribution for someone who may manage
// media (assistants and up, in any series).
func (s *Service) Upload(ctx context.Context, actor cms.Actor, filename string, r io.Reader, meta Metadata, opts UploadOptions) (Asset, error) {
	if err := s.authz.CanSomewhere(actor, "manage", authz.Media); err != nil {
		return Asset{}, err
	}
	if opts.KeepMetadata {
		if err := s.authz.CanSomewhere(actor, "keep_metadata", authz.Media); err != nil {
			return Asset{}, err
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, s.maxSize+1))
	if err != nil {
		return Asset{}, fmt.Errorf("media: read upload: %w", err)
	}
	if int64(len(data)) > s.maxSize {
		return Asset{}, cms.Errorf(cms.CodeTooLarge, "files may be at most %d bytes", s.maxSize)
	}
	a, stored, err := s.prepare(ctx, data, opts.KeepMetadata)
	if err != nil {
		return Asset{}, err
	}
	now := time.Now().UTC()
	a.ID, a.Filename, a.UploaderID, a.CreatedAt, a.UpdatedAt = cms.NewID(), cleanName(filename), actor.UserID, now, now
	a.Focal = Centre
	if err := applyMetadata(&a, meta); err != nil {
		return Asset{}, err
	}
	// The bytes are stored before the row commits, so that no row ever
	// names missing bytes; bytes whose row never commits (a refusal, a
	// crash) are left to the orphan sweep, for another asset may share
	// them.
	list, err := s.makeVariants(ctx, stored, a.Focal, true)
	if err != nil {
		return Asset{}, err
	}
	if err := s.putAll(ctx, a.SHA256, stored, list); err != nil {
		return Asset{}, err
	}
	for _, e := range list {
		a.Variants = append(a.Variants, e.Variant)
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "media.upload", ObjectType: "media", ObjectID: a.ID,
		Detail: map[string]any{"filename": a.Filename, "sha256": a.SHA256, "metadata_kept": a.MetadataKept}}
	if err := s.store.CreateAsset(ctx, a, ev); err != nil {
		return Asset{}, err
	}
	// A sweep that found these bytes an old orphan just before the row
	// committed may have removed them: put them back.
	if err := s.putAll(ctx, a.SHA256, stored, list); err != nil {
		return Asset{}, err
	}
	return a, nil
}

// putAll stores an upload's bytes and its variants'.
func (s *Service) putAll(ctx context.Context, key string, data []byte, list []encoded) error {
	if err := s.blobs.Put(ctx, key, data); err != nil {
		return err
	}
	_, err := s.putVariants(ctx, list)
	return err
}

// cleanName keeps a file name for display only: no directories, no
// control characters, at most 200 characters.
func cleanName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" || name == "." || name == ".." {
		return "upload"
	}
	return name
}

var licenceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$`)

func applyMetadata(a *Asset, m Metadata) error {
	var p cms.Problems
	set := func(field string, dst *string, v *string, max int) {
		if v == nil {
			return
		}
		if utf8.RuneCountInString(*v) > max {
			p.Add(field, fmt.Sprintf("must be at most %d characters", max))
			return
		}
		*dst = strings.TrimSpace(*v)
	}
	set("alt", &a.Alt, m.Alt, 500)
	set("caption", &a.Caption, m.Caption, 2000)
	set("credit", &a.Credit, m.Credit, 500)
	set("licence", &a.Licence, m.Licence, 64)
	set("source_url", &a.SourceURL, m.SourceURL, 2000)
	if a.Licence != "" && !licenceRE.MatchString(a.Licence) {
		p.Add("licence", "must be an SPDX-style identifier such as CC-BY-2.0")
	}
	if m.Focal != nil {
		f, err := focalOf(m.Focal)
		if err != nil {
			return err
		}
		a.Focal = f
	}
	if a.SourceURL != "" {
		if u, err := url.Parse(a.SourceURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.Add("source_url", "must be an absolute http(s) URL")
		}
	}
	return p.Err()
}

// Update changes an asset's attribution; documents showing it are rendered
// again. Assistants and up of any series may change an asset no live
// document shows. One that live documents show is part of what their
// series publish: changing it needs the right in every one of those
// series, and each document's history records the change, for delivery
// shows it at once.
func (s *Service) Update(ctx context.Context, actor cms.Actor, id string, meta Metadata) (Asset, error) {
	if err := s.authz.CanSomewhere(actor, "manage", authz.Media); err != nil {
		return Asset{}, err
	}
	a, err := s.store.FindAsset(ctx, id)
	if err != nil {
		return Asset{}, err
	}
	before := a
	if err := applyMetadata(&a, meta); err != nil {
		return Asset{}, err
	}
	a.UpdatedAt = time.Now().UTC()
	social, err := s.recrop(ctx, &a, before.Focal)
	if err != nil {
		return Asset{}, err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "media.update", ObjectType: "media", ObjectID: a.ID}
	err = s.store.AssetTx(ctx, func(tx Store) error {
		uses, err := tx.FindLiveShowing(ctx, a.ID)
		if err != nil {
			return err
		}
		if err := s.mayChangeShown(actor, uses); err != nil {
			return err
		}
		if err := tx.UpdateAsset(ctx, a, ev, historyOf(actor, uses, changes(before, a), a.UpdatedAt)); err != nil {
			return err
		}
		if social == nil {
			return nil
		}
		return tx.PutVariants(ctx, a.ID, social, a.UpdatedAt)
	})
	if err != nil {
		return Asset{}, err
	}
	if s.changed != nil {
		if err := s.changed(ctx, a.ID); err != nil {
			return Asset{}, fmt.Errorf("media: after the change: %w", err)
		}
	}
	return a, nil
}

// mayChangeShown checks that the actor may manage media in the series of
// every live document that shows the asset.
func (s *Service) mayChangeShown(actor cms.Actor, uses []LiveUse) error {
	paths := make([]string, len(uses))
	for i, u := range uses {
		paths[i] = u.SeriesPath
	}
	return s.authz.CanInEach(actor, "manage", authz.Media, paths, "where live documents show it")
}

// historyOf is the event each live document showing the asset records;
// none when nothing changed.
func historyOf(actor cms.Actor, uses []LiveUse, note string, at time.Time) []HistoryEvent {
	if note == "" {
		return nil
	}
	out := make([]HistoryEvent, len(uses))
	for i, u := range uses {
		out[i] = HistoryEvent{DocumentID: u.DocumentID, Action: EventUpdate, State: u.State, Revision: u.HeadRevision,
			ActorID: actor.UserID, Note: note, At: at}
	}
	return out
}

// changes says what changed in an asset's attribution, each field before
// and after; empty when nothing did.
func changes(before, after Asset) string {
	var parts []string
	for _, f := range []struct{ name, was, is string }{
		{"alt text", before.Alt, after.Alt}, {"caption", before.Caption, after.Caption},
		{"credit", before.Credit, after.Credit}, {"licence", before.Licence, after.Licence},
		{"source", before.SourceURL, after.SourceURL},
		{"focal point", fmt.Sprintf("%.3g,%.3g", before.Focal.X, before.Focal.Y), fmt.Sprintf("%.3g,%.3g", after.Focal.X, after.Focal.Y)},
	} {
		if f.was != f.is {
			parts = append(parts, fmt.Sprintf("%s %q → %q", f.name, f.was, f.is))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("Hero image %s: %s.", after.Filename, strings.Join(parts, "; "))
}

// Asset returns one asset's record.
func (s *Service) Asset(ctx context.Context, id string) (Asset, error) {
	return s.store.FindAsset(ctx, id)
}

// Assets lists assets, newest first.
func (s *Service) Assets(ctx context.Context, limit, offset int) ([]Asset, int, error) {
	return s.store.FindAssets(ctx, limit, offset)
}

// Open returns an asset's bytes for staff.
func (s *Service) Open(ctx context.Context, id string) (Asset, io.ReadSeekCloser, error) {
	a, err := s.store.FindAsset(ctx, id)
	if err != nil {
		return Asset{}, nil, err
	}
	f, err := s.openBlob(ctx, a)
	return a, f, err
}

// openBlob opens an asset's bytes: under its SHA-256, or under its id
// where files were stored before.
func (s *Service) openBlob(ctx context.Context, a Asset) (io.ReadSeekCloser, error) {
	f, err := s.blobs.Open(ctx, a.SHA256)
	if cms.IsCode(err, cms.CodeNotFound) {
		return s.blobs.Open(ctx, a.ID)
	}
	return f, err
}

// Ping checks that blob storage answers.
func (s *Service) Ping(ctx context.Context) error { return s.blobs.Ping(ctx) }

// OpenLive returns an asset's bytes for anyone, if a live document shows
// it; otherwise it is not found, whatever exists.
func (s *Service) OpenLive(ctx context.Context, id string) (Asset, io.ReadSeekCloser, error) {
	live, err := s.store.AssetIsLive(ctx, id)
	if err != nil {
		return Asset{}, nil, err
	}
	if !live {
		return Asset{}, nil, cms.NotFound("media")
	}
	return s.Open(ctx, id)
}

// Exists checks a hero reference: the asset must exist.
func (s *Service) Exists(ctx context.Context, id string) error {
	_, err := s.store.FindAsset(ctx, id)
	return err
}

// Serve writes an asset's bytes with its stored type — never one guessed
// from a name — forbids the browser to sniff another, and allows nothing
// to run in it. Its ETag is its SHA-256: an asset's bytes never change,
// so a cache revalidates with If-None-Match (304) or a Range request
// resumes with If-Range.
func Serve(w http.ResponseWriter, r *http.Request, a Asset, f io.ReadSeeker, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", a.MIME)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Security-Policy", "default-src 'none'")
	if a.SHA256 != "" {
		h.Set("ETag", `"`+a.SHA256+`"`)
	}
	http.ServeContent(w, r, "", a.UpdatedAt, f)
}
