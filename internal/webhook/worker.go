package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Signature headers. A receiver checks that SignatureHeader equals
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)) and that
// the timestamp is recent.
const (
	SignatureHeader = "X-Masthead-Signature"
	TimestampHeader = "X-Masthead-Timestamp"
	EventHeader     = "X-Masthead-Event"
	DeliveryHeader  = "X-Masthead-Delivery"
)

// Sign returns the signature header value for body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// WorkerConfig tunes delivery.
type WorkerConfig struct {
	Interval    time.Duration // how often to look for due messages
	Timeout     time.Duration // per request
	MaxAttempts int
	BaseBackoff time.Duration // doubled per attempt
	MaxBackoff  time.Duration
	// AllowPrivate lets deliveries reach loopback, private, link-local
	// and other non-public addresses: for receivers on the newsroom's own
	// network. Off, such connections are refused.
	AllowPrivate bool
	Logger       *slog.Logger
}

func (c *WorkerConfig) setDefaults() {
	if c.Interval == 0 {
		c.Interval = 500 * time.Millisecond
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	if c.BaseBackoff == 0 {
		c.BaseBackoff = 2 * time.Second
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Worker delivers queued messages.
type Worker struct {
	store  Store
	cfg    WorkerConfig
	client *http.Client
}

// NewWorker returns a Worker over store.
func NewWorker(store Store, cfg WorkerConfig) *Worker {
	cfg.setDefaults()
	return &Worker{store: store, cfg: cfg, client: newClient(cfg.Timeout, cfg.AllowPrivate)}
}

// Run delivers due messages every interval until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	cms.Every(ctx, w.cfg.Interval, func(ctx context.Context) {
		if _, err := w.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Logger.Error("webhook delivery failed", "err", err)
		}
	})
}

// DeliverDue sends every due message once, concurrently, and returns how
// many were sent successfully.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	now := time.Now().UTC()
	// The lease outlasts a request's timeout, so that no other worker
	// sends the same message while this one waits for an answer.
	msgs, err := w.store.ClaimDue(ctx, now, now.Add(2*w.cfg.Timeout), 50)
	if err != nil {
		return 0, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent int
		errs []error
	)
	for _, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := w.deliver(ctx, m)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				sent++
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return sent, errs[0]
	}
	return sent, nil
}

// deliver sends one message and records the attempt.
func (w *Worker) deliver(ctx context.Context, m Message) (bool, error) {
	hook, err := w.store.FindWebhook(ctx, m.WebhookID)
	if cms.IsCode(err, cms.CodeNotFound) {
		return false, nil // deleted meanwhile; its outbox rows went with it
	} else if err != nil {
		return false, err
	}
	start := time.Now()
	status, sendErr := w.send(ctx, hook, m)
	a := Attempt{ID: cms.NewID(), OutboxID: m.ID, WebhookID: m.WebhookID, Event: m.Event, Attempt: m.Attempts + 1,
		StatusCode: status, DurationMS: time.Since(start).Milliseconds(), CreatedAt: time.Now().UTC()}
	delivered := sendErr == nil && status >= 200 && status < 300
	if !delivered {
		a.Error = attemptError(status, sendErr)
	}
	// A refused address is given up at once: it is the webhook's URL
	// (or its DNS) that needs changing, or the setting that allows
	// private targets, and no number of retries changes either.
	var refused *refusedError
	giveUp := errors.As(sendErr, &refused)
	if giveUp {
		w.cfg.Logger.Warn("webhook delivery refused", "webhook", hook.ID, "reason", refused.Error())
	}
	failed := !delivered && (giveUp || a.Attempt >= w.cfg.MaxAttempts)
	next := time.Now().UTC().Add(w.backoff(a.Attempt))
	return delivered, w.store.Finish(ctx, a, delivered, failed, next)
}

func (w *Worker) send(ctx context.Context, hook Webhook, m Message) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return 0, err
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Masthead-Webhook/1")
	req.Header.Set(EventHeader, m.Event)
	req.Header.Set(DeliveryHeader, m.ID)
	req.Header.Set(TimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(SignatureHeader, Sign(hook.Secret, ts, m.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// attemptError says why an attempt failed, for the attempt log.
func attemptError(status int, err error) string {
	var refused *refusedError
	switch {
	case errors.As(err, &refused):
		return refused.Error() // without the "Post …: dial tcp …:" around it
	case err != nil:
		return err.Error()
	case status >= 300 && status < 400:
		return fmt.Sprintf("HTTP %d: redirects are not followed", status)
	}
	return fmt.Sprintf("HTTP %d", status)
}

// backoff is BaseBackoff doubled per failed attempt, capped.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.cfg.BaseBackoff
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.cfg.MaxBackoff)
}
