package newsletter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Sender delivers one mail.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// Rejection is a mail server's answer refusing one mail: a 4xx code is
// worth trying again later, a 5xx is final for that address.
type Rejection struct {
	Code int
	Text string
}

func (r *Rejection) Error() string { return "newsletter: refused: " + r.Text }

// Permanent reports a 5xx answer.
func (r *Rejection) Permanent() bool { return r.Code >= 500 }

// SMTP sends mail through an SMTP server, with STARTTLS when the server
// offers it.
type SMTP struct {
	host, user, password, from string
	// domain is the From address's: Message-IDs and List-Ids are minted
	// under it, not under the machine's host name.
	domain      string
	port        int
	implicitTLS bool
}

// NewSMTP reads smtp://user:pass@host:port (or smtps:// for implicit TLS).
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("newsletter: SMTP URL must be smtp://user:pass@host:port")
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("newsletter: from address: %w", err)
	}
	s := &SMTP{host: u.Hostname(), from: from, domain: strings.ToLower(addr.Address[strings.LastIndex(addr.Address, "@")+1:]),
		implicitTLS: u.Scheme == "smtps", port: 587}
	if u.Scheme == "smtps" {
		s.port = 465
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("newsletter: SMTP port: %w", err)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	return s, nil
}

// Send delivers m. The message has a Message-ID under the sender's
// domain, List-Id, List-Unsubscribe and Auto-Submitted as m asks, and no
// User-Agent or X-Mailer header telling which library (and version) sent
// it.
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("newsletter: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("newsletter: to: %w", err)
	}
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageIDWithValue(cms.RandomToken(16) + "@" + s.domain)
	}
	if m.ListID != "" {
		msg.SetGenHeaderPreformatted("List-Id", listID(m.ListName, m.ListID+"."+s.domain))
	}
	if m.ListUnsubscribe != "" {
		setListUnsubscribe(msg, m.ListUnsubscribe)
	}
	if m.AutoSubmitted {
		msg.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(15 * time.Second), gomail.WithTLSPolicy(gomail.TLSOpportunistic)}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("newsletter: smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 400 {
			return &Rejection{Code: se.ErrorCode(), Text: err.Error()}
		}
		return fmt.Errorf("newsletter: send: %w", err)
	}
	return nil
}

// setListUnsubscribe gives mail clients the recipient's way out: the
// List-Unsubscribe header (RFC 2369), and List-Unsubscribe-Post for their
// one-click unsubscribe, a POST to the link (RFC 8058). RFC 8058 allows
// one click only with an https link, so an install served over plain
// http (a local one) gets the first header alone.
func setListUnsubscribe(msg *gomail.Msg, link string) {
	if err := msg.SetListUnsubscribeOneClick(link); err != nil {
		msg.SetListUnsubscribe(link)
	}
}

// listID is a List-Id header value (RFC 2919): the list's name as a
// phrase, quoted, or as an encoded word when it is not plain ASCII, and
// its id.
func listID(name, id string) string {
	if name == "" {
		return "<" + id + ">"
	}
	for _, r := range name {
		if (r < 0x20 && r != '\t') || r >= 0x7f {
			return mime.QEncoding.Encode("utf-8", name) + " <" + id + ">"
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `" <` + id + ">"
}

// LogSender writes mail to the log instead of sending it: the default
// when no SMTP server is configured, so that a local install works.
type LogSender struct{ Log *slog.Logger }

// Send logs m.
func (l LogSender) Send(_ context.Context, m Mail) error {
	l.Log.Info("mail (no SMTP server configured)", "to", m.To, "subject", m.Subject,
		"list_unsubscribe", m.ListUnsubscribe, "list_id", m.ListID, "auto_submitted", m.AutoSubmitted, "body", m.Body)
	return nil
}

// Worker sends the outbox.
type Worker struct {
	store       Store
	sender      Sender
	log         *slog.Logger
	interval    time.Duration
	maxAttempts int
}

// NewWorker returns a Worker.
func NewWorker(store Store, sender Sender, log *slog.Logger) *Worker {
	return &Worker{store: store, sender: sender, log: log, interval: time.Second, maxAttempts: 8}
}

// Run sends due mail every interval until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	cms.Every(ctx, w.interval, func(ctx context.Context) {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("sending mail failed", "err", err)
		}
	})
}

// SendDue sends what is due, one by one, and returns how many were sent.
// Failures are retried with a doubling delay, then given up.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	now := time.Now().UTC()
	mails, err := w.store.ClaimMail(ctx, now, now.Add(time.Minute), 20)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range mails {
		attempts := m.Attempts + 1
		sendErr := w.sender.Send(ctx, m)
		msg := ""
		if sendErr != nil {
			msg = sendErr.Error()
			w.log.Warn("mail not sent", "to", m.To, "attempt", attempts, "err", sendErr)
		} else {
			sent++
		}
		next := time.Now().UTC().Add(time.Duration(1<<min(attempts, 12)) * time.Second)
		failed := sendErr != nil && attempts >= w.maxAttempts
		if err := w.store.FinishMail(ctx, m.ID, sendErr == nil, failed, attempts, msg, next); err != nil {
			return sent, err
		}
	}
	return sent, nil
}
