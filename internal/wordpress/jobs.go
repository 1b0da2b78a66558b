package wordpress

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Job is an import started through the API, its progress and, once it
// ended, its report or why it failed.
type Job struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Filename  string    `json:"filename"`
	Status    string    `json:"status"` // running, done, failed
	Total     int       `json:"total"`
	Done      int       `json:"done"`
	Report    *Report   `json:"report"`
	Error     string    `json:"error"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Job states.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// JobStore keeps the API's import jobs.
type JobStore interface {
	CreateImportJob(ctx context.Context, j Job) error
	UpdateImportJob(ctx context.Context, j Job) error
	FindImportJob(ctx context.Context, id string) (Job, error)
}

// MaxFileBytes is the largest export the API takes.
const MaxFileBytes = 1 << 30

// Start keeps the uploaded export in a temporary file and imports it in
// the background, as actor; the job reports its progress, and its report
// once done. The file is checked first, so a malformed one fails here,
// with its line, and starts nothing.
func (im *Importer) Start(ctx context.Context, actor cms.Actor, filename string, body io.Reader, opt Options) (Job, error) {
	f, err := os.CreateTemp("", "masthead-wxr-*.xml")
	if err != nil {
		return Job{}, fmt.Errorf("wordpress: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(body, MaxFileBytes+1))
	if err == nil && n > MaxFileBytes {
		err = cms.Errorf(cms.CodeTooLarge, "an export may be at most %d MB", MaxFileBytes>>20)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err == nil {
		if err = Check(f); err != nil {
			err = &cms.Error{Code: cms.CodeInvalid, Message: err.Error()}
		}
	}
	if err != nil {
		closeTemp(f)
		return Job{}, err
	}
	now := time.Now().UTC()
	j := Job{ID: cms.NewID(), Kind: "wordpress", Filename: filename, Status: JobRunning, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := im.d.Jobs.CreateImportJob(ctx, j); err != nil {
		closeTemp(f)
		return Job{}, err
	}
	go im.runJob(j, actor, f, opt)
	return j, nil
}

func closeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// runJob runs an import to its end, whatever the request that started it
// does, writing its progress at most every half second.
func (im *Importer) runJob(j Job, actor cms.Actor, f *os.File, opt Options) {
	defer closeTemp(f)
	ctx := context.Background()
	var mu sync.Mutex
	last := time.Time{}
	opt.Progress = func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		j.Done, j.Total = done, total
		if time.Since(last) > 500*time.Millisecond {
			last = time.Now()
			j.UpdatedAt = last.UTC()
			im.save(ctx, j)
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		j.Status, j.Error = JobFailed, err.Error()
	} else if rep, err := im.Import(ctx, actor, f, opt); err != nil {
		j.Status, j.Error = JobFailed, err.Error()
	} else {
		j.Status, j.Report, j.Done = JobDone, rep, j.Total
	}
	mu.Lock()
	defer mu.Unlock()
	j.UpdatedAt = time.Now().UTC()
	im.save(ctx, j)
}

func (im *Importer) save(ctx context.Context, j Job) {
	if err := im.d.Jobs.UpdateImportJob(ctx, j); err != nil && im.d.Logger != nil {
		im.d.Logger.Error("import job: saving progress failed", "job", j.ID, "err", err)
	}
}

// Job returns an import job.
func (im *Importer) Job(ctx context.Context, id string) (Job, error) {
	return im.d.Jobs.FindImportJob(ctx, id)
}
