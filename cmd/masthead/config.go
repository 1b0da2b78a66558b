package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// Config is every setting of Masthead, read from MASTHEAD_* variables and
// validated once at start. Every setting has a safe default.
type Config struct {
	Addr          string        // MASTHEAD_ADDR
	DataDir       string        // MASTHEAD_DATA_DIR
	DatabaseURL   string        // MASTHEAD_DATABASE_URL: empty = SQLite in DataDir
	BaseURL       *url.URL      // MASTHEAD_BASE_URL
	AdminEmail    string        // MASTHEAD_ADMIN_EMAIL
	AdminPassword string        // MASTHEAD_ADMIN_PASSWORD: empty = random, printed once
	LogLevel      slog.Level    // MASTHEAD_LOG_LEVEL
	LogFormat     string        // MASTHEAD_LOG_FORMAT: text or json
	BodyLimit     int64         // MASTHEAD_BODY_LIMIT, in bytes
	SessionTTL    time.Duration // MASTHEAD_SESSION_TTL
	TrustProxy    bool          // MASTHEAD_TRUST_PROXY: take the client address from X-Forwarded-For
	PolicyRefresh time.Duration // MASTHEAD_POLICY_REFRESH: how often to look for role changes made elsewhere
	CacheControl  string        // MASTHEAD_CACHE_CONTROL: sent with public delivery responses
	MediaURL      string        // MASTHEAD_MEDIA_URL: s3://bucket?…; empty = the media folder in DataDir
	UploadLimit   int64         // MASTHEAD_UPLOAD_LIMIT, in bytes: the largest media file
	DecodeLimit   int64         // MASTHEAD_DECODE_LIMIT, in bytes: the memory decoding images may take
	SMTPURL       string        // MASTHEAD_SMTP_URL: smtp://user:pass@host:port; empty logs mail instead
	MailFrom      string        // MASTHEAD_MAIL_FROM: the sender of mailing-list mail
	// UnsubscribeMailto (MASTHEAD_MAIL_UNSUBSCRIBE_MAILTO) is the address
	// that an edition's List-Unsubscribe offers besides its link.
	UnsubscribeMailto string
	// MASTHEAD_DKIM_DOMAIN, MASTHEAD_DKIM_SELECTOR and MASTHEAD_DKIM_KEY_FILE
	// (a PEM private key): all three sign outgoing mail; none signs none.
	DKIMDomain, DKIMSelector, DKIMKeyFile string
	DKIM                                  *newsletter.DKIM // read from the three
	// MASTHEAD_MAIL_RATE: how many edition mails an instance sends a
	// second (0: as fast as the server takes them); MASTHEAD_MAIL_CONCURRENCY:
	// how many at once.
	MailRate        float64
	MailConcurrency int
	// MASTHEAD_WEBHOOK_ALLOW_PRIVATE: let webhooks reach loopback, private
	// and link-local addresses, for receivers on the newsroom's network.
	WebhookAllowPrivate bool
	// MASTHEAD_SIGNUPS_PER_ADDRESS and MASTHEAD_SIGNUPS_TOTAL: how many
	// mailing-list sign-ups one client address, and everyone together,
	// may make in a window ("5/10m": five in ten minutes).
	SignupsPerAddress newsletter.Limit
	SignupsTotal      newsletter.Limit
	// MASTHEAD_LIST_EMPTY_SERIES: list series with nothing live in
	// GET /delivery/v1/series.
	ListEmptySeries bool
	// MASTHEAD_TIMEZONE: the site's time zone (an IANA name such as
	// Asia/Seoul), in which pages print dates, and the newsroom UI's
	// default for a person whose browser has not said its zone; UTC
	// unless set.
	TimeZone *time.Location
	// MASTHEAD_PUBLIC_URL: where delivered documents live when a front end
	// of the newsroom's own serves them, a pattern with {series} and
	// {slug}; empty: the reader site at MASTHEAD_BASE_URL.
	PublicURL string
	// MASTHEAD_SITE: serve the built-in reader site (on, the default) or
	// not (off: / points to /admin and the API's documentation).
	Site bool
	// MASTHEAD_THEME_DIR: a folder of reader-site templates and a
	// stylesheet replacing the embedded files of the same names.
	ThemeDir string
	// MASTHEAD_NOTIFICATION_MAIL: mail notifications to staff (on, the
	// default) or keep them in the app only (off).
	NotificationMail bool
	// MASTHEAD_METRICS_TOKEN: serve /metrics on MASTHEAD_ADDR to a
	// scraper that sends it as a bearer token; empty: not served there.
	MetricsToken string
	// MASTHEAD_METRICS_ADDR: a listener of its own (host:port) serving
	// /metrics without a token; empty: none.
	MetricsAddr string
	// MASTHEAD_ACCESS_LOG: log every request, one line each (on), or
	// only failures (off, the default).
	AccessLog bool
	// MASTHEAD_SHUTDOWN_TIMEOUT: how long a stopping instance waits for
	// in-flight requests and the jobs its workers hold.
	ShutdownTimeout time.Duration
}

// configError names the variable at fault; main prints it on one line and
// exits with status 2.
type configError struct {
	name string
	msg  string
}

func (e *configError) Error() string { return e.name + ": " + e.msg }

// loadConfig reads and validates the configuration. The first bad value
// stops it.
func loadConfig(getenv func(string) string) (Config, error) {
	r := envReader{getenv: getenv}
	cfg := Config{
		Addr:                r.str("MASTHEAD_ADDR", ":8080"),
		DataDir:             r.str("MASTHEAD_DATA_DIR", "./data"),
		DatabaseURL:         r.str("MASTHEAD_DATABASE_URL", ""),
		AdminEmail:          strings.ToLower(r.str("MASTHEAD_ADMIN_EMAIL", "admin@masthead.localhost")),
		AdminPassword:       r.str("MASTHEAD_ADMIN_PASSWORD", ""),
		LogFormat:           r.str("MASTHEAD_LOG_FORMAT", "text"),
		BodyLimit:           r.bytes("MASTHEAD_BODY_LIMIT", 8<<20),
		MediaURL:            r.str("MASTHEAD_MEDIA_URL", ""),
		UploadLimit:         r.bytes("MASTHEAD_UPLOAD_LIMIT", 20<<20),
		DecodeLimit:         r.bytes("MASTHEAD_DECODE_LIMIT", 256<<20),
		SMTPURL:             r.str("MASTHEAD_SMTP_URL", ""),
		MailFrom:            r.str("MASTHEAD_MAIL_FROM", ""),
		UnsubscribeMailto:   r.str("MASTHEAD_MAIL_UNSUBSCRIBE_MAILTO", ""),
		DKIMDomain:          r.str("MASTHEAD_DKIM_DOMAIN", ""),
		DKIMSelector:        r.str("MASTHEAD_DKIM_SELECTOR", ""),
		DKIMKeyFile:         r.str("MASTHEAD_DKIM_KEY_FILE", ""),
		MailRate:            r.rate("MASTHEAD_MAIL_RATE", 0),
		MailConcurrency:     r.count("MASTHEAD_MAIL_CONCURRENCY", 4),
		SessionTTL:          r.duration("MASTHEAD_SESSION_TTL", 14*24*time.Hour),
		TrustProxy:          r.boolean("MASTHEAD_TRUST_PROXY", false),
		WebhookAllowPrivate: r.boolean("MASTHEAD_WEBHOOK_ALLOW_PRIVATE", false),
		ListEmptySeries:     r.boolean("MASTHEAD_LIST_EMPTY_SERIES", false),
		ThemeDir:            r.str("MASTHEAD_THEME_DIR", ""),
		PolicyRefresh:       r.duration("MASTHEAD_POLICY_REFRESH", time.Second),
		LogLevel:            r.level("MASTHEAD_LOG_LEVEL", slog.LevelInfo),
		CacheControl:        r.str("MASTHEAD_CACHE_CONTROL", "public, max-age=60, stale-while-revalidate=600"),
		SignupsPerAddress:   r.limit("MASTHEAD_SIGNUPS_PER_ADDRESS", newsletter.Limit{N: 5, Per: 10 * time.Minute}),
		SignupsTotal:        r.limit("MASTHEAD_SIGNUPS_TOTAL", newsletter.Limit{N: 300, Per: time.Hour}),
		TimeZone:            r.zone("MASTHEAD_TIMEZONE", time.UTC),
		PublicURL:           r.str("MASTHEAD_PUBLIC_URL", ""),
		Site:                r.onOff("MASTHEAD_SITE", true),
		NotificationMail:    r.onOff("MASTHEAD_NOTIFICATION_MAIL", true),
		MetricsToken:        r.str("MASTHEAD_METRICS_TOKEN", ""),
		MetricsAddr:         r.str("MASTHEAD_METRICS_ADDR", ""),
		AccessLog:           r.onOff("MASTHEAD_ACCESS_LOG", false),
		ShutdownTimeout:     r.duration("MASTHEAD_SHUTDOWN_TIMEOUT", 20*time.Second),
	}
	if r.err != nil {
		return Config{}, r.err
	}
	checks := []func(*Config) error{checkAddr, checkDatabaseURL, checkDataDir, checkBaseURL(getenv("MASTHEAD_BASE_URL")), checkAdmin, checkLogFormat, checkMail, checkDKIM, checkPublicURL, checkMediaURL, checkMetrics}
	for _, check := range checks {
		if err := check(&cfg); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

type envReader struct {
	getenv func(string) string
	err    error
}

func (r *envReader) fail(name, msg string) {
	if r.err == nil {
		r.err = &configError{name: name, msg: msg}
	}
}

func (r *envReader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

func (r *envReader) duration(name string, def time.Duration) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, fmt.Sprintf("%q is not a positive duration such as 30s or 12h", v))
	}
	return d
}

// rate reads a number of messages a second, from 0 (no limit).
func (r *envReader) rate(name string, def float64) float64 {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		r.fail(name, fmt.Sprintf("%q is not a number of messages a second such as 50 (0 for no limit)", v))
	}
	return f
}

// count reads a whole number from 1 to 256.
func (r *envReader) count(name string, def int) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 256 {
		r.fail(name, fmt.Sprintf("%q is not a whole number from 1 to 256", v))
	}
	return n
}

func (r *envReader) boolean(name string, def bool) bool {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("%q is not true or false", v))
	}
	return b
}

// onOff reads on or off.
func (r *envReader) onOff(name string, def bool) bool {
	switch v := strings.ToLower(strings.TrimSpace(r.getenv(name))); v {
	case "":
		return def
	case "on":
		return true
	case "off":
		return false
	default:
		r.fail(name, fmt.Sprintf("%q is not on or off", v))
		return def
	}
}

// zone reads an IANA time zone name such as Asia/Seoul.
func (r *envReader) zone(name string, def *time.Location) *time.Location {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	loc, err := time.LoadLocation(v)
	if err != nil || v == "Local" {
		r.fail(name, fmt.Sprintf("%q is not an IANA time zone name (e.g. UTC, Asia/Seoul, America/New_York)", v))
		return def
	}
	return loc
}

// bytes reads a size such as 8388608, 512K or 8M.
func (r *envReader) bytes(name string, def int64) int64 {
	v := strings.ToUpper(strings.TrimSpace(r.getenv(name)))
	if v == "" {
		return def
	}
	mult := int64(1)
	for suffix, m := range map[string]int64{"K": 1 << 10, "M": 1 << 20, "G": 1 << 30} {
		if strings.HasSuffix(v, suffix) {
			v, mult = strings.TrimSuffix(v, suffix), m
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		r.fail(name, fmt.Sprintf("%q is not a size such as 8M", r.getenv(name)))
	}
	return n * mult
}

// limit reads a rate such as 5/10m: a positive count, a slash and a
// positive Go duration.
func (r *envReader) limit(name string, def newsletter.Limit) newsletter.Limit {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	count, window, _ := strings.Cut(v, "/")
	n, err := strconv.Atoi(strings.TrimSpace(count))
	per, perErr := time.ParseDuration(strings.TrimSpace(window))
	if err != nil || perErr != nil || n <= 0 || per <= 0 {
		r.fail(name, fmt.Sprintf("%q is not a limit such as 5/10m (a count per Go duration)", v))
		return def
	}
	return newsletter.Limit{N: n, Per: per}
}

func (r *envReader) level(name string, def slog.Level) slog.Level {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, fmt.Sprintf("%q is not one of debug, info, warn, error", v))
	}
	return l
}

func checkAddr(c *Config) error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return &configError{"MASTHEAD_ADDR", fmt.Sprintf("%q is not host:port (for example :8080)", c.Addr)}
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return &configError{"MASTHEAD_ADDR", fmt.Sprintf("%q has no valid port", c.Addr)}
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /?#") {
		return &configError{"MASTHEAD_ADDR", fmt.Sprintf("%q has no valid host", c.Addr)}
	}
	return nil
}

// checkMetrics: the metrics listener is an address like MASTHEAD_ADDR,
// and a token short enough to guess protects nothing.
func checkMetrics(c *Config) error {
	if c.MetricsAddr != "" {
		if err := checkAddr(&Config{Addr: c.MetricsAddr}); err != nil {
			return &configError{"MASTHEAD_METRICS_ADDR", err.(*configError).msg}
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return &configError{"MASTHEAD_METRICS_TOKEN", "must be at least 16 characters (e.g. openssl rand -hex 24)"}
	}
	return nil
}

func checkDatabaseURL(c *Config) error {
	if c.DatabaseURL == "" {
		return nil
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return &configError{"MASTHEAD_DATABASE_URL", "must be empty (SQLite in the data dir) or a postgres://user@host:port/db URL"}
	}
	return nil
}

// checkDataDir makes sure the data dir exists and is writable, so that a
// typo fails now rather than at the first upload.
func checkDataDir(c *Config) error {
	fail := func(err error) error {
		return &configError{"MASTHEAD_DATA_DIR", fmt.Sprintf("%s is not a writable directory: %v", c.DataDir, unwrapPathError(err))}
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fail(err)
	}
	f, err := os.CreateTemp(c.DataDir, ".write-check-*")
	if err != nil {
		return fail(err)
	}
	f.Close()
	os.Remove(f.Name())
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fail(err)
	}
	c.DataDir = abs
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func checkBaseURL(raw string) func(*Config) error {
	return func(c *Config) error {
		if raw == "" {
			raw = "http://localhost" + portSuffix(c.Addr)
		}
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &configError{"MASTHEAD_BASE_URL", fmt.Sprintf("%q is not an absolute http(s) URL", raw)}
		}
		c.BaseURL = u
		return nil
	}
}

// checkPublicURL accepts an absolute http(s) URL pattern that names both
// the series and the slug, so that every document has an address of its
// own there.
// checkMediaURL refuses a media URL that names no bucket.
func checkMediaURL(c *Config) error {
	if c.MediaURL == "" {
		return nil
	}
	if _, err := media.OpenBucket(c.MediaURL); err != nil {
		return &configError{"MASTHEAD_MEDIA_URL", err.Error() + " (e.g. s3://bucket?region=us-east-1, or empty for the local folder)"}
	}
	return nil
}

func checkPublicURL(c *Config) error {
	if c.PublicURL == "" {
		return nil
	}
	bad := func(why string) error {
		return &configError{"MASTHEAD_PUBLIC_URL", fmt.Sprintf("%q %s (e.g. https://www.example.org/{series}/{slug})", c.PublicURL, why)}
	}
	if strings.Count(c.PublicURL, "{series}") != 1 || strings.Count(c.PublicURL, "{slug}") != 1 {
		return bad("must hold {series} and {slug} once each")
	}
	u, err := url.Parse(strings.NewReplacer("{series}", "s", "{slug}", "d").Replace(c.PublicURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("is not an absolute http(s) URL")
	}
	if strings.Contains(hostOf(c.PublicURL), "{") {
		return bad("must keep {series} and {slug} out of the host")
	}
	return nil
}

// hostOf is the authority part of a URL pattern.
func hostOf(pattern string) string {
	_, rest, _ := strings.Cut(pattern, "://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}

func portSuffix(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	if port == "" || port == "80" || port == "0" {
		return ""
	}
	return ":" + port
}

func checkAdmin(c *Config) error {
	if !auth.ValidEmail(c.AdminEmail) {
		return &configError{"MASTHEAD_ADMIN_EMAIL", fmt.Sprintf("%q is not an email address an account may have (a host name with a dot, e.g. admin@masthead.localhost)", c.AdminEmail)}
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 10 {
		return &configError{"MASTHEAD_ADMIN_PASSWORD", "must be at least 10 characters"}
	}
	return nil
}

func checkLogFormat(c *Config) error {
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return &configError{"MASTHEAD_LOG_FORMAT", fmt.Sprintf("%q is not text or json", c.LogFormat)}
	}
	return nil
}

// checkDKIM reads the DKIM key when the three settings are given, and
// refuses some of them without the others: a half-configured signature
// would send mail unsigned while the operator thinks it is signed.
func checkDKIM(c *Config) error {
	set := 0
	for _, v := range []string{c.DKIMDomain, c.DKIMSelector, c.DKIMKeyFile} {
		if v != "" {
			set++
		}
	}
	switch {
	case set == 0:
		return nil
	case c.DKIMDomain == "":
		return &configError{"MASTHEAD_DKIM_DOMAIN", "must be set with MASTHEAD_DKIM_SELECTOR and MASTHEAD_DKIM_KEY_FILE"}
	case c.DKIMSelector == "":
		return &configError{"MASTHEAD_DKIM_SELECTOR", "must be set with MASTHEAD_DKIM_DOMAIN and MASTHEAD_DKIM_KEY_FILE"}
	case c.DKIMKeyFile == "":
		return &configError{"MASTHEAD_DKIM_KEY_FILE", "must be set with MASTHEAD_DKIM_DOMAIN and MASTHEAD_DKIM_SELECTOR"}
	}
	key, err := os.ReadFile(c.DKIMKeyFile)
	if err != nil {
		return &configError{"MASTHEAD_DKIM_KEY_FILE", err.Error()}
	}
	if c.DKIM, err = newsletter.NewDKIM(c.DKIMDomain, c.DKIMSelector, key); err != nil {
		return &configError{"MASTHEAD_DKIM_KEY_FILE", err.Error()}
	}
	return nil
}

func checkMail(c *Config) error {
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return &configError{"MASTHEAD_SMTP_URL", "must be smtp://user:pass@host:port or smtps://…"}
		}
	}
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return &configError{"MASTHEAD_MAIL_FROM", fmt.Sprintf("%q is not an address such as \"Masthead <news@example.org>\"", c.MailFrom)}
		}
	}
	if c.UnsubscribeMailto != "" {
		if a, err := mail.ParseAddress(c.UnsubscribeMailto); err != nil || a.Name != "" || a.Address != c.UnsubscribeMailto {
			return &configError{"MASTHEAD_MAIL_UNSUBSCRIBE_MAILTO", fmt.Sprintf("%q is not a bare address such as unsubscribe@example.org", c.UnsubscribeMailto)}
		}
	}
	return nil
}
