package newsletter

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// SendWorker sends editions: it starts queued sends (freezing their
// audience) and mails their recipients in leased batches, so that several
// instances share one edition and a killed one leaves its rows to the
// others when the lease runs out.
type SendWorker struct {
	store    SendStore
	mails    *Service
	sender   Sender
	log      *slog.Logger
	interval time.Duration
	// Batch is how many rows a worker leases at once; Lease, for how long.
	Batch       int
	Lease       time.Duration
	maxAttempts int
	// Now is the clock (tests move it past a lease).
	Now func() time.Time
}

// NewSendWorker returns a SendWorker; mails renders each recipient's mail.
func NewSendWorker(store SendStore, mails *Service, sender Sender, log *slog.Logger) *SendWorker {
	return &SendWorker{store: store, mails: mails, sender: sender, log: log, interval: time.Second, Batch: 50,
		Lease: 2 * time.Minute, maxAttempts: 5, Now: func() time.Time { return time.Now().UTC() }}
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
		_, ok, err := w.store.StartSend(ctx, w.Now())
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
	}
	sent := 0
	for ctx.Err() == nil {
		n, claimed, err := w.sendBatch(ctx)
		sent += n
		if err != nil || claimed == 0 {
			if err == nil {
				err = w.store.FinishSends(ctx, w.Now())
			}
			return sent, err
		}
	}
	return sent, nil
}

// edition is what every mail of one send needs.
type edition struct {
	send     Send
	series   content.Series
	settings Settings
}

// sendBatch leases one batch and mails it.
func (w *SendWorker) sendBatch(ctx context.Context) (sent, claimed int, err error) {
	now := w.Now()
	batch, err := w.store.ClaimRecipients(ctx, now, now.Add(w.Lease), w.Batch)
	if err != nil || len(batch) == 0 {
		return 0, 0, err
	}
	editions := map[string]*edition{}
	for _, r := range batch {
		if ctx.Err() != nil {
			return sent, len(batch), nil // the rest waits for its lease to run out
		}
		ed, err := w.edition(ctx, editions, r.SendID)
		if err != nil {
			return sent, len(batch), err
		}
		r = w.deliver(ctx, ed, r)
		if r.Status == RcptSent {
			sent++
		}
		next := w.Now().Add(time.Duration(1<<min(r.Attempts, 10)) * time.Second)
		// The outcome is written even when ctx ended meanwhile: a mail that
		// went must not be sent again.
		if err := w.store.FinishRecipient(context.WithoutCancel(ctx), r, next); err != nil {
			return sent, len(batch), err
		}
	}
	return sent, len(batch), nil
}

func (w *SendWorker) edition(ctx context.Context, cache map[string]*edition, sendID string) (*edition, error) {
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
	cache[sendID] = &edition{send: s, series: sr, settings: set}
	return cache[sendID], nil
}

// deliver mails one recipient and returns the row as it is now: skipped
// when the address left the list or was suppressed since the audience
// froze, queued again after a failure until attempts run out.
func (w *SendWorker) deliver(ctx context.Context, ed *edition, r Recipient) Recipient {
	sub, err := w.store.FindSubscriberByID(ctx, r.SubscriberID)
	if cms.IsCode(err, cms.CodeNotFound) || (err == nil && sub.Status != Confirmed) {
		r.Status, r.Response = RcptSkipped, "no longer on the list"
		return r
	}
	if err == nil {
		var suppressed bool
		if suppressed, err = w.store.IsSuppressed(ctx, r.Email); suppressed {
			r.Status, r.Response = RcptSkipped, "suppressed"
			return r
		}
	}
	var m Mail
	if err == nil {
		m, err = w.mails.EditionMail(ctx, r.DocumentID, ed.series, ed.settings, sub)
	}
	if err == nil {
		m.ID, m.MessageID = r.ID, r.ID+"@"+domainOf(ed.settings.FromAddress)
		err = w.sender.Send(ctx, m)
	}
	if err != nil {
		r.Response = err.Error()
		r.Status = RcptQueued
		if r.Attempts >= w.maxAttempts {
			r.Status = RcptFailed
		}
		w.log.Warn("edition mail not sent", "send", r.SendID, "attempt", r.Attempts, "err", err)
		return r
	}
	r.Status, r.Response, r.MessageID = RcptSent, "250 accepted", m.MessageID
	return r
}

// domainOf is an address's domain, for Message-IDs; "localhost" for none.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return strings.ToLower(addr[i+1:])
	}
	return "localhost"
}
