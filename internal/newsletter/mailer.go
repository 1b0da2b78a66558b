package newsletter

import (
	"context"
	"crypto"
	"crypto/rsa"
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
	dkim        *DKIM // nil: unsigned
	// idle holds connections between mails, so that an edition of
	// 10,000 mails costs a handshake per worker, not one per mail.
	idle chan *conn
}

// conn is an open SMTP connection and when it was last used.
type conn struct {
	client *gomail.Client
	used   time.Time
}

const (
	// maxIdleConns bounds the connections kept open between mails.
	maxIdleConns = 16
	// idleFor is how long a connection may rest before it is dropped
	// rather than reused: servers close quiet connections after a while
	// (RFC 5321 asks for at least 5 minutes; many use less).
	idleFor = 30 * time.Second
)

// DKIM signs outgoing mail for a domain (RFC 6376), so that receivers can
// tell it comes from there: the headers a list mail is judged by,
// List-Unsubscribe and List-Unsubscribe-Post among them, and the body.
//
// Headers are signed with simple canonicalization, the body with relaxed
// (c=simple/relaxed): go-mail v0.8.1 folds a long h= tag in the middle of
// a header name, which breaks relaxed header signatures, while in simple
// mode it writes the signature on one line.
type DKIM struct {
	domain, selector string
	key              crypto.Signer
}

// dkimHeaders are the headers a signature covers. Oversigning From and
// the List-Unsubscribe pair, which may appear only once, keeps anyone from
// adding a second of them to a signed mail.
var (
	dkimHeaders = []string{"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
		"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted"}
	dkimOversigned = []string{"From", "List-Unsubscribe", "List-Unsubscribe-Post"}
)

// NewDKIM reads a DKIM key (PEM: PKCS#1 or PKCS#8, RSA or Ed25519) for
// the selector of domain.
func NewDKIM(domain, selector string, keyPEM []byte) (*DKIM, error) {
	if domain == "" || selector == "" {
		return nil, fmt.Errorf("newsletter: DKIM needs a domain and a selector")
	}
	key, err := gomail.PrivKeyFromPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("newsletter: DKIM key: %w", err)
	}
	if rk, ok := key.(*rsa.PrivateKey); ok && rk.N.BitLen() < 1024 {
		return nil, fmt.Errorf("newsletter: DKIM key: an RSA key needs at least 1024 bits (2048 recommended)")
	}
	return &DKIM{domain: domain, selector: selector, key: key}, nil
}

// signer is a signer for one message: go-mail's keeps state while it
// signs, so concurrent sends must not share one.
func (d *DKIM) signer() *gomail.DKIMSigner {
	sg := gomail.NewDKIMSigner(d.domain, d.selector, d.key)
	sg.SignHeaders(dkimHeaders...)
	sg.OversignHeaders(dkimOversigned...)
	sg.HeaderCanonicalization(gomail.CanonicalizationSimple)
	sg.BodyCanonicalization(gomail.CanonicalizationRelaxed)
	return sg
}

// NewSMTP reads smtp://user:pass@host:port (or smtps:// for implicit TLS).
// With a DKIM signer (at most one), every mail it sends is signed.
func NewSMTP(rawURL, from string, dkim ...*DKIM) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("newsletter: SMTP URL must be smtp://user:pass@host:port")
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("newsletter: from address: %w", err)
	}
	s := &SMTP{host: u.Hostname(), from: from, domain: strings.ToLower(addr.Address[strings.LastIndex(addr.Address, "@")+1:]),
		implicitTLS: u.Scheme == "smtps", port: 587, idle: make(chan *conn, maxIdleConns)}
	if len(dkim) > 1 {
		return nil, fmt.Errorf("newsletter: at most one DKIM signer")
	} else if len(dkim) == 1 {
		s.dkim = dkim[0]
	}
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

// Send delivers m. The message has a Date, a Message-ID under the
// transactional sender's domain, From and Reply-To, List-Id,
// List-Unsubscribe and Auto-Submitted as m asks, a text/html alternative
// when m has one, and no User-Agent or X-Mailer header telling which
// library (and version) sent it.
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	c, reused, err := s.take(ctx)
	if err != nil {
		return err
	}
	err = c.client.Send(msg)
	if err != nil && reused && beforeData(err) {
		// The server dropped the resting connection: nothing was sent
		// on it, so one fresh connection may try again.
		c.close()
		if c, err = s.dial(ctx); err != nil {
			return err
		}
		err = c.client.Send(msg)
	}
	if err != nil {
		c.close()
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 400 {
			return &Rejection{Code: se.ErrorCode(), Text: err.Error()}
		}
		return fmt.Errorf("newsletter: send: %w", err)
	}
	s.put(c)
	return nil
}

// beforeData reports a failure of a resting connection before the
// message's DATA began: no answer at all (the server dropped it) or 421,
// the server closing the channel (RFC 5321 4.2.2; go-smtp says it on an
// idle timeout). A mail that failed there was not delivered, so sending
// it again cannot deliver it twice.
func beforeData(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) || (se.ErrorCode() != 0 && se.ErrorCode() != 421) {
		return false
	}
	return se.Reason == gomail.ErrConnCheck || se.Reason == gomail.ErrSMTPMailFrom
}

// take returns a resting connection, or a new one; reused says which.
func (s *SMTP) take(ctx context.Context) (c *conn, reused bool, err error) {
	for {
		select {
		case c := <-s.idle:
			if time.Since(c.used) < idleFor {
				return c, true, nil
			}
			c.close()
		default:
			c, err := s.dial(ctx)
			return c, false, err
		}
	}
}

// put keeps c for the next mail, or closes it when enough rest.
func (s *SMTP) put(c *conn) {
	c.used = time.Now()
	select {
	case s.idle <- c:
	default:
		c.close()
	}
}

// dial opens a connection to the server.
func (s *SMTP) dial(ctx context.Context) (*conn, error) {
	// No NOOP before each mail: a dropped connection shows at MAIL FROM,
	// which Send answers by dialling again.
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(15 * time.Second),
		gomail.WithTLSPolicy(gomail.TLSOpportunistic), gomail.WithoutNoop()}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("newsletter: smtp client: %w", err)
	}
	if err := client.DialWithContext(ctx); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 400 {
			return nil, &Rejection{Code: se.ErrorCode(), Text: err.Error()}
		}
		return nil, fmt.Errorf("newsletter: send: %w", err)
	}
	return &conn{client: client}, nil
}

// close ends the connection politely (QUIT); a failure to do so changes
// nothing for the mail already answered.
func (c *conn) close() { _ = c.client.Close() }

// message builds m: from the series' sender when m names one, else from
// the transactional sender; multipart/alternative when m has an HTML
// part.
func (s *SMTP) message(m Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := s.setFrom(msg, m); err != nil {
		return nil, fmt.Errorf("newsletter: from: %w", err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("newsletter: reply-to: %w", err)
		}
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("newsletter: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageIDWithValue(cms.RandomToken(16) + "@" + s.domain)
	}
	if m.ListID != "" {
		msg.SetGenHeaderPreformatted("List-Id", listID(m.ListName, m.ListID+"."+s.domain))
	}
	if m.ListUnsubscribe != "" {
		setListUnsubscribe(msg, m.ListUnsubscribe, m.UnsubscribeMailto)
	}
	if m.AutoSubmitted {
		msg.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if s.dkim != nil {
		msg.SetDKIM(s.dkim.signer())
	}
	return msg, nil
}

// setFrom names the sender: m's own address, or the transactional one
// under m's name (a series without an address of its own), or the
// transactional sender as configured.
func (s *SMTP) setFrom(msg *gomail.Msg, m Mail) error {
	addr := m.FromAddress
	if addr == "" {
		if m.FromName == "" {
			return msg.From(s.from)
		}
		parsed, err := mail.ParseAddress(s.from)
		if err != nil {
			return err
		}
		addr = parsed.Address
	}
	if m.FromName == "" {
		return msg.From(addr)
	}
	msg.FromMailAddress(&mail.Address{Name: m.FromName, Address: addr})
	return nil
}

// setListUnsubscribe gives mail clients the recipient's way out: the
// List-Unsubscribe header (RFC 2369), and List-Unsubscribe-Post for their
// one-click unsubscribe, a POST to the link (RFC 8058). RFC 8058 allows
// one click only with an https link, so an install served over plain
// http (a local one) gets the first header alone.
// A mailto: URI, when there is one, follows the link for clients that
// only write mail.
func setListUnsubscribe(msg *gomail.Msg, link, mailto string) {
	var more []string
	if mailto != "" {
		more = append(more, mailto)
	}
	if err := msg.SetListUnsubscribeOneClick(link, more...); err != nil {
		msg.SetListUnsubscribe(append([]string{link}, more...)...)
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
	return `"` + quotedPair.Replace(name) + `" <` + id + ">"
}

// quotedPair escapes a quoted string's backslashes and quotes (RFC 5322).
var quotedPair = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

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
