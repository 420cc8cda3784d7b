// Package config reads Oopsie's settings from the environment once, at
// startup, so that a typo stops the boot instead of failing a request hours
// later.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Database dialects.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Storage adapters.
const (
	StorageLocal = "local"
	StorageS3    = "s3"
)

// minSecretLen keeps HMAC keys at 256 bits or more.
const minSecretLen = 32

// Config is the whole server configuration. Build it with Load, never by hand,
// so that defaults and validation cannot be bypassed.
type Config struct {
	Addr      string
	DataDir   string
	PublicURL string // without trailing slash; empty when unset
	Database  Database
	RedisURL  string // empty when unset
	// JWTSecret is set by Load from JWT_SECRET, or by ResolveJWTSecret.
	JWTSecret           []byte
	Storage             Storage
	Retention           Retention
	WebhookAllowPrivate bool
	// RateLimits are the ingest limits per minute, per key and per client
	// address; a project's own limit replaces them for its keys.
	RateLimits RateLimits
	// GraphQLIntrospection lets clients read the GraphQL schema (GraphiQL
	// needs it). On by default: the schema is public in the repository anyway.
	GraphQLIntrospection bool
	// TrustedProxies are the load balancers and reverse proxies whose
	// X-Forwarded-For names the client, for rate limits and logs.
	TrustedProxies []netip.Prefix
	// ReleasesURL is empty unless the operator opted in to version checks.
	ReleasesURL     string
	LogLevel        slog.Level
	LogFormat       string // "", "json" or "text"; empty lets the logger decide
	ShutdownTimeout time.Duration
}

// Database says which backend to open and how.
type Database struct {
	Dialect    string // DialectSQLite or DialectPostgres
	URL        string // postgres DSN as given; empty for sqlite
	SQLitePath string // empty for postgres
}

// Storage says where attachments live.
type Storage struct {
	Adapter   string // StorageLocal or StorageS3
	LocalPath string
	S3        S3
}

// S3 holds the S3 adapter settings. The key pair is required with the s3
// adapter: credentials are explicit, never picked up from the environment
// of whatever machine the server happens to run on.
type S3 struct {
	Bucket, Region, AccessKey, SecretKey, Endpoint string
}

// RateLimits are requests per minute.
type RateLimits struct{ PerKey, PerIP int }

// Retention is how many days each kind of data is kept.
type Retention struct {
	Reports, Feedback, Crashes, Attachments int
}

// Load parses the environment. It does no I/O so that it can be tested with a
// map and called before anything is opened. All problems are returned at once,
// joined, so that the operator fixes them in a single round.
func Load(getenv func(string) string) (*Config, error) {
	e := &env{get: getenv}
	c := &Config{
		Addr:    e.addr("OOPSIE_ADDR", ":8080"),
		DataDir: e.str("OOPSIE_DATA_DIR", "./data"),
	}
	c.PublicURL = e.publicURL("OOPSIE_PUBLIC_URL")
	c.Database = e.database("DATABASE_URL", c.DataDir)
	c.RedisURL = e.redisURL("REDIS_URL")
	if v := e.get("JWT_SECRET"); v != "" {
		if len(v) < minSecretLen {
			e.fail("JWT_SECRET", "must be at least %d bytes long, got %d", minSecretLen, len(v))
		}
		c.JWTSecret = []byte(v)
	}

	c.Storage = Storage{
		Adapter:   e.oneOf("STORAGE_ADAPTER", StorageLocal, StorageLocal, StorageS3),
		LocalPath: e.str("STORAGE_LOCAL_PATH", filepath.Join(c.DataDir, "attachments")),
		S3: S3{
			Bucket:    e.get("STORAGE_S3_BUCKET"),
			Region:    e.get("STORAGE_S3_REGION"),
			AccessKey: e.get("STORAGE_S3_KEY"),
			SecretKey: e.get("STORAGE_S3_SECRET"),
			Endpoint:  e.httpURL("STORAGE_S3_ENDPOINT"),
		},
	}
	s3 := c.Storage.S3
	if c.Storage.Adapter == StorageS3 {
		if s3.Bucket == "" {
			e.fail("STORAGE_S3_BUCKET", "required when STORAGE_ADAPTER=s3")
		}
		if s3.Region == "" {
			e.fail("STORAGE_S3_REGION", "required when STORAGE_ADAPTER=s3")
		}
	}
	// Half a key pair is a mistake, even while the adapter is local. With
	// neither, S3 takes the SDK's default credential chain (roles).
	if s3.AccessKey == "" && s3.SecretKey != "" {
		e.fail("STORAGE_S3_KEY", "required when STORAGE_S3_SECRET is set")
	}
	if s3.SecretKey == "" && s3.AccessKey != "" {
		e.fail("STORAGE_S3_SECRET", "required when STORAGE_S3_KEY is set")
	}

	const maxDays = 36500
	c.Retention = Retention{
		Reports:     e.intIn("OOPSIE_REPORT_RETENTION_DAYS", 90, 1, maxDays),
		Feedback:    e.intIn("OOPSIE_FEEDBACK_RETENTION_DAYS", 365, 1, maxDays),
		Crashes:     e.intIn("OOPSIE_CRASH_RETENTION_DAYS", 90, 1, maxDays),
		Attachments: e.intIn("OOPSIE_ATTACHMENT_RETENTION_DAYS", 30, 1, maxDays),
	}
	c.WebhookAllowPrivate = e.boolean("OOPSIE_WEBHOOK_ALLOW_PRIVATE", false)
	c.GraphQLIntrospection = e.boolean("OOPSIE_GRAPHQL_INTROSPECTION", true)
	c.RateLimits = RateLimits{
		PerKey: e.intIn("OOPSIE_RATE_LIMIT_PER_KEY", 100, 1, 1_000_000),
		PerIP:  e.intIn("OOPSIE_RATE_LIMIT_PER_IP", 200, 1, 1_000_000),
	}
	c.TrustedProxies = e.prefixes("OOPSIE_TRUSTED_PROXIES")
	// Empty by default: a privacy-first server does not phone home unless asked.
	c.ReleasesURL = e.httpURL("OOPSIE_RELEASES_URL")
	c.LogLevel = logLevels[e.oneOf("OOPSIE_LOG_LEVEL", "info", "debug", "info", "warn", "error")]
	c.LogFormat = e.oneOf("OOPSIE_LOG_FORMAT", "", "json", "text")
	c.ShutdownTimeout = e.duration("OOPSIE_SHUTDOWN_TIMEOUT", 15*time.Second, 10*time.Minute)

	if err := errors.Join(e.errs...); err != nil {
		return nil, err
	}
	return c, nil
}

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// env reads variables and collects every problem instead of stopping at the
// first one. Each helper returns its default on error; the value is never used
// because Load then fails.
type env struct {
	get  func(string) string
	errs []error
}

func (e *env) fail(name, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf(name+": "+format, args...))
}

func (e *env) str(name, def string) string {
	if v := e.get(name); v != "" {
		return v
	}
	return def
}

func (e *env) oneOf(name, def string, allowed ...string) string {
	v := e.get(name)
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	e.fail(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return def
}

func (e *env) intIn(name string, def, lo, hi int) int {
	v := e.get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		e.fail(name, "%q is not an integer between %d and %d", v, lo, hi)
		return def
	}
	return n
}

func (e *env) boolean(name string, def bool) bool {
	v := e.get(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(name, "%q is not a boolean (want true or false)", v)
		return def
	}
	return b
}

func (e *env) duration(name string, def, limit time.Duration) time.Duration {
	v := e.get(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > limit {
		e.fail(name, "%q is not a duration above 0 and at most %s (e.g. %q)", v, limit, def.String())
		return def
	}
	return d
}

func (e *env) addr(name, def string) string {
	v := e.str(name, def)
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		e.fail(name, "%q is not a valid listen address (want host:port, e.g. %q)", v, def)
	}
	return v
}

// prefixes reads a comma-separated list of networks (10.0.0.0/8) and
// addresses (a single host).
func (e *env) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(e.get(name), ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			e.fail(name, "%q is not an IP address or network (such as 10.0.0.0/8)", f)
		}
	}
	return out
}

// httpURL returns v unchanged: it is only checked, since re-serialising a URL
// can alter its escaping.
func (e *env) httpURL(name string) string {
	v, _ := e.parseHTTPURL(name)
	return v
}

func (e *env) parseHTTPURL(name string) (string, *url.URL) {
	v := e.get(name)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		e.fail(name, "%q is not an absolute http(s) URL", redact(v))
		return v, nil
	}
	return v, u
}

// publicURL is used to build links, so anything a link would not carry over
// (query, fragment) or should not leak (credentials) is refused.
func (e *env) publicURL(name string) string {
	v, u := e.parseHTTPURL(name)
	switch {
	case u == nil:
	case u.User != nil:
		e.fail(name, "%q must not contain credentials", redact(v))
	case strings.ContainsAny(v, "?#"):
		e.fail(name, "%q must not have a query or fragment", v)
	}
	return strings.TrimRight(v, "/")
}

// errHidden is used when a URL does not parse: the parser's message may quote
// a fragment of the password, so neither is shown.
const errHidden = "not a valid URL (value not shown: it may contain a password)"

func (e *env) database(name, dataDir string) Database {
	v := e.get(name)
	lower := strings.ToLower(v)
	switch {
	case v == "":
		return Database{Dialect: DialectSQLite, SQLitePath: filepath.Join(dataDir, "oopsie.db")}
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		u, err := url.Parse(v)
		switch {
		case err != nil:
			e.fail(name, errHidden)
		// libpq lets ?host= name a unix socket directory instead.
		case u.Hostname() == "" && u.Query().Get("host") == "":
			e.fail(name, "%q has no host", redact(v))
		default:
			return Database{Dialect: DialectPostgres, URL: v}
		}
	case strings.HasPrefix(lower, "sqlite:"), strings.HasPrefix(lower, "file:"):
		path, err := sqlitePath(v)
		if err != nil {
			e.fail(name, "%w", err)
			break
		}
		return Database{Dialect: DialectSQLite, SQLitePath: path}
	default:
		// Only the scheme is echoed: key=value DSNs and unknown URLs may hold
		// passwords in places redact does not know about.
		if u, err := url.Parse(v); err == nil && u.Scheme != "" {
			e.fail(name, "unsupported scheme %q (want postgres://, postgresql://, sqlite: or file:)", u.Scheme)
		} else {
			e.fail(name, "not a database URL (want postgres://, postgresql://, sqlite: or file:)")
		}
	}
	return Database{}
}

// sqlitePath accepts the loose forms people write (sqlite://./x.db is not a
// valid URL, its "host" would be ".") by stripping the scheme by hand.
func sqlitePath(v string) (string, error) {
	_, rest, _ := strings.Cut(v, ":")
	rest = strings.TrimPrefix(rest, "//")
	if strings.Contains(rest, "?") {
		// They would be dropped silently: the server chooses its own pragmas.
		return "", fmt.Errorf("%q: query parameters are not supported", v)
	}
	path, err := url.PathUnescape(rest)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not a valid sqlite URL: %w", v, err)
	case path == "":
		return "", fmt.Errorf("%q has no file path", v)
	case path == ":memory:":
		return "", fmt.Errorf("%q: an in-memory database would lose everything on restart", v)
	}
	return path, nil
}

func (e *env) redisURL(name string) string {
	v := e.get(name)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		e.fail(name, errHidden)
	case u.Scheme == "unix":
		if u.Path == "" {
			e.fail(name, "%q has no socket path", redact(v))
		}
	case u.Scheme == "redis", u.Scheme == "rediss":
		if u.Hostname() == "" {
			e.fail(name, "%q has no host", redact(v))
		} else if db := strings.TrimPrefix(u.Path, "/"); db != "" {
			if _, err := strconv.Atoi(db); err != nil {
				e.fail(name, "%q: database %q is not a number", redact(v), db)
			}
		}
	default:
		e.fail(name, "unsupported scheme %q (want redis://, rediss:// or unix://)", u.Scheme)
	}
	return v
}

var passwordParam = regexp.MustCompile(`(?i)(pass[a-z]*=)[^&#]*`)

// redact hides passwords in a URL meant for an error message. It works on the
// raw text rather than url.URL.Redacted because a password containing '/' or
// '#' makes the parser split it into host or path, where Redacted misses it:
// everything up to the last '@' is taken as userinfo.
func redact(v string) string {
	if scheme, rest, ok := strings.Cut(v, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if user, _, hasPass := strings.Cut(rest[:at], ":"); hasPass {
				v = scheme + "://" + user + ":xxxxx" + rest[at:]
			}
		}
	}
	return passwordParam.ReplaceAllString(v, "${1}xxxxx")
}
