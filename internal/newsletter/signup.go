package newsletter

import (
	"context"
	"math"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/masthead-cms/masthead/internal/cms"
)

// What the sign-up form refuses before anything is counted, stored or
// mailed: the form is public, and every sign-up it takes sends a mail.

// listKind is the one kind of series that has a mailing list.
const listKind = "newsletter"

// Limit allows N sign-ups in each window of length Per.
type Limit struct {
	N   int
	Per time.Duration
}

// checkEmail returns the address a sign-up names, trimmed and in lower
// case, or the problem with it. An address must be one a mail server on
// the internet would take: not at an IP address (user@[192.0.2.1],
// user@127.0.0.1), not at localhost, and at a valid host name (RFC 1123)
// with at least two labels, so that the form cannot aim mail at this
// machine, at the newsroom's own network or at nowhere.
func checkEmail(raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return "", cms.Invalid("email", "must be a valid email address")
	}
	if msg := domainProblem(email[strings.LastIndexByte(email, '@')+1:]); msg != "" {
		return "", cms.Invalid("email", msg)
	}
	return email, nil
}

// domainProblem says what is wrong with an address's domain, or "". A
// name in Unicode is checked in the form DNS knows it (its A-labels), so
// that look-alike digits or letters do not slip an IP address or
// localhost past the checks.
func domainProblem(domain string) string {
	if strings.HasPrefix(domain, "[") {
		return "must be at a domain name, not at an IP address"
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	switch {
	case err != nil:
		return "must be at a valid domain name such as example.org"
	case isIP(ascii):
		return "must be at a domain name, not at an IP address"
	case ascii == "localhost" || strings.HasSuffix(ascii, ".localhost"): // RFC 6761 §6.3
		return "must be at a domain on the internet, not at localhost"
	case !isHostName(ascii):
		return "must be at a valid domain name such as example.org"
	}
	return ""
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// isHostName reports whether name is a fully qualified host name (RFC
// 1123 §2.1): at most 253 characters, two labels or more, each 1 to 63
// letters, digits and hyphens that neither starts nor ends with a hyphen,
// and a top-level label that is not all digits (so 10.1 or 1.2.3.999
// never pass as names).
func isHostName(name string) bool {
	labels := strings.Split(name, ".")
	if len(name) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range []byte(l) {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// admit counts a well-formed sign-up against the client's limit and then
// everyone's, and refuses it with 429 once either is spent. Every
// well-formed sign-up counts, whether or not it sends a mail, so that
// the limits do not tell who is on a list. The client's count comes
// first: a client over its own limit does not use up everyone's.
func (s *Service) admit(ctx context.Context, client string) error {
	if err := s.count(ctx, clientKey(client), s.cfg.PerAddress, "too many sign-ups from your address"); err != nil {
		return err
	}
	return s.count(ctx, "all", s.cfg.Total, "too many sign-ups at the moment")
}

func (s *Service) count(ctx context.Context, key string, l Limit, why string) error {
	now := s.now()
	n, end, err := s.store.CountHit(ctx, "signup:"+key, now, l.Per)
	if err != nil {
		return err
	}
	if n <= l.N {
		return nil
	}
	wait := max(int(math.Ceil(end.Sub(now).Seconds())), 1)
	return &cms.Error{
		Code:       cms.CodeTooManyRequests,
		Message:    why + "; try again in " + strconv.Itoa(wait) + " seconds",
		RetryAfter: wait,
	}
}

// clientKey is the throttle's key for a client address. An IPv6 client
// counts by its /64, the least a home line or a server is given, since
// it can change the rest of its address at will.
func clientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "addr:" + addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + ip.String()
}
