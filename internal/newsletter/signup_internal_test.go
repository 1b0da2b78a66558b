package newsletter

import "testing"

// TestClientKey: IPv4 clients count by their address, IPv4-mapped IPv6
// ones as the IPv4 address they are, IPv6 ones by their /64.
func TestClientKey(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"203.0.113.7":             "addr:203.0.113.7",
		"::ffff:203.0.113.7":      "addr:203.0.113.7",
		"2001:db8:1:2::1":         "addr:2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:1:2:3": "addr:2001:db8:1:2::/64",
		"2001:db8:1:3::1":         "addr:2001:db8:1:3::/64",
		"fe80::1%eth0":            "addr:fe80::/64",
		"not an address":          "addr:not an address",
	} {
		if got := clientKey(addr); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", addr, got, want)
		}
	}
}
