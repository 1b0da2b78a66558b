package webhook

import (
	"errors"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

func TestNonPublic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ ip, want string }{
		{"93.184.215.14", ""},
		{"8.8.8.8", ""},
		{"2606:4700::1111", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"172.32.0.1", ""},
		{"::ffff:93.184.215.14", ""},
		{"127.0.0.1", "a loopback address"},
		{"127.255.255.254", "a loopback address"},
		{"::1", "a loopback address"},
		{"::ffff:127.0.0.1", "a loopback address"},
		{"10.0.0.5", "a private address"},
		{"172.16.0.1", "a private address"},
		{"172.31.255.255", "a private address"},
		{"192.168.1.1", "a private address"},
		{"fc00::1", "a private address"},
		{"fd12:3456::1", "a private address"},
		{"::ffff:10.0.0.1", "a private address"},
		{"64:ff9b::a00:5", "a private address"}, // NAT64 of 10.0.0.5
		{"169.254.169.254", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"fe80::1%eth0", "a link-local address"},
		{"::ffff:169.254.169.254", "a link-local address"},
		{"0.0.0.0", "an unspecified address"},
		{"0.1.2.3", "an unspecified address"},
		{"::", "an unspecified address"},
		{"224.0.0.1", "a multicast address"},
		{"239.255.255.250", "a multicast address"},
		{"ff02::1", "a multicast address"},
		{"100.64.0.1", "a shared (CGNAT) address"},
		{"100.127.255.255", "a shared (CGNAT) address"},
		{"240.0.0.1", "a reserved address"},
		{"255.255.255.255", "a reserved address"},
	} {
		t.Run(tc.ip, func(t *testing.T) {
			if got := nonPublic(netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Errorf("nonPublic(%s) = %q, want %q", tc.ip, got, tc.want)
			}
		})
	}
}

func TestRefuseNonPublic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ address, want string }{
		{"93.184.215.14:443", ""},
		{"[2606:4700::1111]:443", ""},
		{"10.0.0.5:80", "refused: 10.0.0.5 is a private address"},
		{"[::ffff:10.0.0.1]:80", "refused: ::ffff:10.0.0.1 is a private address"},
		{"169.254.169.254:80", "refused: 169.254.169.254 is a link-local address"},
	} {
		err := refuseNonPublic("tcp", tc.address, nil)
		var refused *refusedError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.address, err)
		case tc.want != "" && (!errors.As(err, &refused) || err.Error() != tc.want):
			t.Errorf("%s: %v, want %q", tc.address, err, tc.want)
		}
	}
	if err := refuseNonPublic("tcp", "not-an-address", nil); err == nil {
		t.Error("an address that does not parse was let through")
	}
}

// The client must not hand requests to a proxy from the environment (it
// would dial past the guard) nor follow redirects (unchecked URLs).
func TestClientHasNoProxyAndNoRedirects(t *testing.T) {
	t.Parallel()
	c := newClient(time.Second, false)
	if tr, ok := c.Transport.(*http.Transport); !ok || tr.Proxy != nil {
		t.Errorf("transport %T with a proxy function", c.Transport)
	}
	if c.CheckRedirect == nil || c.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Error("the client follows redirects")
	}
}
