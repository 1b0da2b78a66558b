package webhook

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// The guard keeps webhooks from reaching the network Masthead runs in
// (databases, cloud metadata at 169.254.169.254, internal services): a
// webhook URL is chosen by whoever registers it, and whoever owns its DNS
// decides where it points at any moment. So the check is made on the
// address actually dialed, not on the URL: a name that resolved to a
// public address at registration and to 10.0.0.5 now (DNS rebinding) is
// refused all the same.

var (
	// sharedPrefix is carrier-grade NAT space (RFC 6598): not RFC 1918,
	// but inside a provider's network all the same.
	sharedPrefix = netip.MustParsePrefix("100.64.0.0/10")
	// thisNetworkPrefix (RFC 1122) and reservedPrefix (RFC 1112, with the
	// broadcast address) are no place for a receiver; Linux even takes
	// 0.0.0.0 for this host.
	thisNetworkPrefix = netip.MustParsePrefix("0.0.0.0/8")
	reservedPrefix    = netip.MustParsePrefix("240.0.0.0/4")
	// nat64Prefix embeds an IPv4 address that a NAT64 gateway reaches
	// on our behalf (RFC 6052), so the embedded address is what counts.
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
)

// nonPublic says why ip is not a public unicast address ("a private
// address"), or returns "" when it is one.
func nonPublic(ip netip.Addr) string {
	ip = ip.Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	if nat64Prefix.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case ip.IsUnspecified(), thisNetworkPrefix.Contains(ip):
		return "an unspecified address"
	case ip.IsMulticast():
		return "a multicast address"
	case sharedPrefix.Contains(ip):
		return "a shared (CGNAT) address"
	case reservedPrefix.Contains(ip):
		return "a reserved address"
	}
	return ""
}

// refusedError is a connection the guard would not open. It will not
// succeed on a retry either, so the worker gives the message up at once.
type refusedError struct {
	ip     netip.Addr
	reason string
}

func (e *refusedError) Error() string { return fmt.Sprintf("refused: %s is %s", e.ip, e.reason) }

// refuseNonPublic is a net.Dialer Control function: it runs after name
// resolution, on each address about to be connected to.
func refuseNonPublic(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: refused: cannot check address %q: %w", address, err)
	}
	if reason := nonPublic(ap.Addr()); reason != "" {
		return &refusedError{ip: ap.Addr(), reason: reason}
	}
	return nil
}

// newClient returns the HTTP client deliveries go through. Unless
// allowPrivate, it dials public addresses only. It never follows a
// redirect: a 3xx would be a second, unchecked URL (and a POST turned
// into a GET), so it is an answer like any other non-2xx, a failure.
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refuseNonPublic
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			// No proxy, whatever HTTPS_PROXY says: a proxy would dial
			// the receiver itself, out of the guard's sight.
			Proxy:               nil,
			DialContext:         dialer.DialContext,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        100,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Fetcher gets files over HTTP through the same guard as deliveries (an
// import's --fetch-media): public addresses only unless allowPrivate, no
// proxy, no redirect followed.
type Fetcher struct{ client *http.Client }

// NewFetcher returns a Fetcher whose requests time out after timeout.
func NewFetcher(timeout time.Duration, allowPrivate bool) *Fetcher {
	return &Fetcher{client: newClient(timeout, allowPrivate)}
}

// Fetch returns the body of a 2xx answer to a GET of rawURL (http or
// https); the caller closes it.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: fetch: %q is not an http(s) URL", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("webhook: fetch: %w", err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("webhook: fetch: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body.Close()
		return nil, fmt.Errorf("webhook: fetch: %s answered %d", u.Host, resp.StatusCode)
	}
	return resp.Body, nil
}
