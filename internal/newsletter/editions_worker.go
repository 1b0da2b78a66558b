package newsletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// SendConfig tunes a SendWorker; a zero field takes its default.
type SendConfig struct {
	// Batch is how many rows a worker leases at once (50); Lease, for how
	// long (2 minutes): a killed worker's rows wait that long.
	Batch int
	Lease time.Duration
	// Concurrency is how many mails of a batch go at once (4); Rate, how
	// many a second (0: as fast as the server takes them).
	Concurrency int
	Rate        float64
	// MaxAttempts is how often a refused (4xx) mail is tried before it
	// counts as failed (5); Backoff, the first wait (30 s), doubled each
	// time.
	MaxAttempts int
	Backoff     time.Duration
	// PauseAfter is how many failures of the server itself in a row pause
	// a send (10), so that a broken relay does not burn through the list.
	PauseAfter int
	Logger     *slog.Logger
	// Now is the clock (tests move it past a lease).
	Now func() time.Time
}

// SendWorker sends editions: it starts queued sends (freezing their
// audience) and mails their recipients in leased batches, so that several
// instances share one edition and a killed one leaves its rows to the
// others when the lease runs out.
type SendWorker struct {
	store    SendStore
	mails    *Service
	sender   Sender
	cfg      SendConfig
	log      *slog.Logger
	limit    *rate.Limiter // nil: no rate
	interval time.Duration
}

// NewSendWorker returns a SendWorker; mails renders each recipient's mail.
func NewSendWorker(store SendStore, mails *Service, sender Sender, cfg SendConfig) *SendWorker {
	cfg.Batch = cmp.Or(cfg.Batch, 50)
	cfg.Lease = cmp.Or(cfg.Lease, 2*time.Minute)
	cfg.Concurrency = cmp.Or(cfg.Concurrency, 4)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, 5)
	cfg.Backoff = cmp.Or(cfg.Backoff, 30*time.Second)
	cfg.PauseAfter = cmp.Or(cfg.PauseAfter, 10)
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	w := &SendWorker{store: store, mails: mails, sender: sender, cfg: cfg, log: cmp.Or(cfg.Logger, slog.Default()), interval: time.Second}
	if cfg.Rate > 0 {
		w.limit = rate.NewLimiter(rate.Limit(cfg.Rate), max(1, int(cfg.Rate)))
	}
	return w
}

// Run sends editions every interval until ctx ends.
func (w *SendWorker) Run(ctx context.Context) {
	cms.Every(ctx, w.interval, func(ctx context.Context) {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("sending editions failed", "err", err)
		}
	})
}

// SendDue starts queued sends, then sends batches until none is due or
// ctx ends, and returns how many mails went.
func (w *SendWorker) SendDue(ctx context.Context) (int, error) {
	for {
		_, ok, err := w.store.StartSend(ctx, w.cfg.Now())
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
	}
	sent := 0
	// A shutting-down instance finishes the batch it leased and claims
	// no more: the others, or its next start, send the rest.
	for ctx.Err() == nil && !cms.Stopping(ctx) {
		n, claimed, err := w.sendBatch(ctx)
		sent += n
		if err != nil || claimed == 0 {
			if err == nil {
				err = w.store.FinishSends(ctx, w.cfg.Now())
			}
			return sent, err
		}
	}
	return sent, nil
}

// openSend is what every mail of one send needs, the edition read and
// parsed once for them all.
type openSend struct {
	send     Send
	series   content.Series
	settings Settings
	edition  *Edition
	// faults counts the server's failures in a row; paused is set once
	// they reached the limit.
	faults int
	paused bool
}

// fault counts one outcome and reports whether the send must pause now.
func (ed *openSend) fault(server bool, limit int) bool {
	if !server {
		ed.faults = 0
		return false
	}
	ed.faults++
	if ed.paused || limit <= 0 || ed.faults < limit {
		return false
	}
	ed.paused = true
	return true
}

// sendBatch leases one batch and mails it, Concurrency at a time. A
// send whose server failed PauseAfter times in a row is paused, and its
// rows wait for a resume.
func (w *SendWorker) sendBatch(ctx context.Context) (sent, claimed int, err error) {
	now := w.cfg.Now()
	batch, err := w.store.ClaimRecipients(ctx, now, now.Add(w.cfg.Lease), w.cfg.Batch)
	if err != nil || len(batch) == 0 {
		return 0, 0, err
	}
	b := &batchRun{w: w, editions: map[string]*openSend{}}
	for _, r := range batch {
		if _, err := w.edition(ctx, b.editions, r.SendID); err != nil {
			return 0, len(batch), err
		}
	}
	rows := make(chan Recipient)
	var wg sync.WaitGroup
	for range max(1, w.cfg.Concurrency) {
		wg.Go(func() {
			for r := range rows {
				b.mail(ctx, r)
			}
		})
	}
	for i, r := range batch {
		if b.stopped(r) || w.wait(ctx) != nil {
			b.handBack(batch[i:]...)
			break
		}
		rows <- r
	}
	close(rows)
	wg.Wait()
	// A worker that stops or pauses hands back the rows it did not try,
	// so that another (or a resume) need not wait for their lease.
	if err := w.store.ReleaseRecipients(context.WithoutCancel(ctx), b.undone, w.cfg.Now()); err != nil {
		b.fail(err)
	}
	return b.sent, len(batch), b.first
}

// batchRun is one batch being mailed by several goroutines.
type batchRun struct {
	w        *SendWorker
	editions map[string]*openSend // filled before the goroutines start
	mu       sync.Mutex           // guards the rest, and the editions' counts
	sent     int
	undone   []string // claimed rows not tried
	first    error
}

// stopped reports whether r's batch must stop: an error, or its send paused.
func (b *batchRun) stopped(r Recipient) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.first != nil || b.editions[r.SendID].paused
}

func (b *batchRun) handBack(rows ...Recipient) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range rows {
		b.undone = append(b.undone, r.ID)
	}
}

func (b *batchRun) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.first = cmp.Or(b.first, err)
}

// mail sends one row and records it. The outcome is written even when
// ctx ended meanwhile: a mail that went must not be sent again.
func (b *batchRun) mail(ctx context.Context, r Recipient) {
	ed := b.editions[r.SendID]
	if ctx.Err() != nil || b.stopped(r) {
		b.handBack(r)
		return
	}
	r, serverFault := b.w.deliver(ctx, ed, r)
	b.mu.Lock()
	if r.Status == RcptSent {
		b.sent++
	}
	pause := ed.fault(serverFault, b.w.cfg.PauseAfter)
	b.mu.Unlock()
	err := b.w.store.FinishRecipient(context.WithoutCancel(ctx), r, b.w.retryAt(r))
	if err == nil && pause {
		err = b.w.pause(context.WithoutCancel(ctx), ed,
			fmt.Sprintf("the mail server failed %d times in a row: %s", b.w.cfg.PauseAfter, r.Response))
	}
	if err != nil {
		b.fail(err)
	}
}

// wait holds a mail back to the configured rate.
func (w *SendWorker) wait(ctx context.Context) error {
	if ctx.Err() != nil || w.limit == nil {
		return ctx.Err()
	}
	return w.limit.Wait(ctx)
}

// retryAt is when a row left queued is due again: the back-off doubles
// with each attempt.
func (w *SendWorker) retryAt(r Recipient) time.Time {
	if r.Status != RcptQueued {
		return w.cfg.Now()
	}
	return w.cfg.Now().Add(w.cfg.Backoff * time.Duration(1<<min(max(r.Attempts-1, 0), 10)))
}

// pause holds a send, with the reason its page shows.
func (w *SendWorker) pause(ctx context.Context, ed *openSend, reason string) error {
	w.log.Error("edition paused", "send", ed.send.ID, "reason", reason)
	_, err := w.store.SetSendStatus(ctx, ed.send.ID, []string{SendSending}, SendPaused, reason)
	return err
}

func (w *SendWorker) edition(ctx context.Context, cache map[string]*openSend, sendID string) (*openSend, error) {
	if ed, ok := cache[sendID]; ok {
		return ed, nil
	}
	s, err := w.store.FindSend(ctx, sendID)
	if err != nil {
		return nil, err
	}
	sr, err := w.store.FindSeries(ctx, s.Series)
	if err != nil {
		return nil, err
	}
	set, err := w.store.FindSettings(ctx, s.SeriesID)
	if err != nil {
		return nil, err
	}
	ed := &openSend{send: s, series: sr, settings: set}
	cache[sendID] = ed
	// Nothing unpublished leaves: a document unpublished since its send
	// was made holds the send until someone resumes it.
	_, live, err := w.store.DocumentLive(ctx, s.DocumentID)
	if err != nil {
		return ed, err
	}
	if live {
		ed.edition, err = w.mails.PrepareEdition(ctx, s.DocumentID, sr, set)
		return ed, err
	}
	ed.paused = true
	return ed, w.pause(ctx, ed, "the document is not live; publish it again and resume the send")
}

// deliver mails one recipient and returns the row as it is now, and
// whether the mail server itself failed (no answer, or 421). An address
// that left the list or was suppressed since the audience froze is
// skipped; a 5xx answer bounces and suppresses the address; a 4xx or a
// server failure leaves the row queued for a retry until MaxAttempts.
func (w *SendWorker) deliver(ctx context.Context, ed *openSend, r Recipient) (Recipient, bool) {
	sub, err := w.store.FindSubscriberByID(ctx, r.SubscriberID)
	if cms.IsCode(err, cms.CodeNotFound) || (err == nil && sub.Status != Confirmed) {
		r.Status, r.Response = RcptSkipped, "no longer on the list"
		return r, false
	}
	if err == nil {
		var suppressed bool
		if suppressed, err = w.store.IsSuppressed(ctx, r.Email); suppressed {
			r.Status, r.Response = RcptSkipped, "suppressed"
			return r, false
		}
	}
	var m Mail
	if err == nil {
		m, err = ed.edition.Mail(sub)
	}
	if err != nil {
		return w.retry(r, err.Error()), false
	}
	m.ID, m.MessageID = r.ID, r.ID+"@"+domainOf(ed.settings.FromAddress)
	err = w.sender.Send(ctx, m)
	var rej *Rejection
	switch {
	case err == nil:
		r.Status, r.Response, r.MessageID = RcptSent, "250 accepted", m.MessageID
		return r, false
	case errors.As(err, &rej) && rej.Permanent():
		r.Status, r.Response = RcptBounced, rej.Text
		if err := w.store.Suppress(context.WithoutCancel(ctx), r.Email, "bounced: "+strconv.Itoa(rej.Code)); err != nil {
			w.log.Error("suppressing a bounced address failed", "err", err)
		}
		return r, false
	case errors.As(err, &rej) && rej.Code != 421:
		w.log.Warn("edition mail refused for now", "send", r.SendID, "attempt", r.Attempts, "code", rej.Code)
		return w.retry(r, rej.Text), false
	case ctx.Err() != nil:
		// Stopped mid-mail: not the server's fault; tried again later.
		return w.retry(r, "interrupted: "+err.Error()), false
	default:
		w.log.Warn("edition mail not sent", "send", r.SendID, "attempt", r.Attempts, "err", err)
		return w.retry(r, err.Error()), true
	}
}

// retry leaves a row queued, or failed once its attempts are spent.
func (w *SendWorker) retry(r Recipient, why string) Recipient {
	r.Status, r.Response = RcptQueued, why
	if r.Attempts >= w.cfg.MaxAttempts {
		r.Status = RcptFailed
	}
	return r
}

// domainOf is an address's domain, for Message-IDs; "localhost" for none.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return strings.ToLower(addr[i+1:])
	}
	return "localhost"
}
