package config

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// problems splits Load's joined error back into one error per variable.
func problems(t *testing.T, err error) []error {
	t.Helper()
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v (%T) is not a joined error", err, err)
	}
	return j.Unwrap()
}

const secret32 = "0123456789abcdef0123456789abcdef"

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	got, err := Load(envOf(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		Addr:    ":8080",
		DataDir: "./data",
		Database: Database{
			Dialect:    DialectSQLite,
			SQLitePath: filepath.Join("data", "oopsie.db"),
		},
		Storage:         Storage{Adapter: StorageLocal, LocalPath: filepath.Join("data", "attachments")},
		Retention:       Retention{Reports: 90, Feedback: 365, Crashes: 90, Attachments: 30},
		LogLevel:        slog.LevelInfo,
		ShutdownTimeout: 15 * time.Second,
		// The schema is public in the repository; GraphiQL needs it.
		GraphQLIntrospection: true,
		RateLimits:           RateLimits{PerKey: 100, PerIP: 200},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
}

func TestLoadValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c *Config)
	}{
		{"everything set", map[string]string{
			"OOPSIE_ADDR":                      "127.0.0.1:0",
			"OOPSIE_DATA_DIR":                  "/srv/oopsie",
			"OOPSIE_PUBLIC_URL":                "https://bugs.example.com/oopsie/",
			"REDIS_URL":                        "rediss://:pw@redis:6380/2",
			"JWT_SECRET":                       secret32,
			"OOPSIE_REPORT_RETENTION_DAYS":     "1",
			"OOPSIE_FEEDBACK_RETENTION_DAYS":   "36500",
			"OOPSIE_CRASH_RETENTION_DAYS":      "7",
			"OOPSIE_ATTACHMENT_RETENTION_DAYS": "14",
			"OOPSIE_WEBHOOK_ALLOW_PRIVATE":     "true",
			"OOPSIE_RELEASES_URL":              "https://api.github.com/repos/x/y/releases/latest",
			"OOPSIE_LOG_LEVEL":                 "DEBUG",
			"OOPSIE_LOG_FORMAT":                "json",
			"OOPSIE_SHUTDOWN_TIMEOUT":          "10m",
			"OOPSIE_GRAPHQL_INTROSPECTION":     "false",
			"OOPSIE_RATE_LIMIT_PER_KEY":        "5000",
			"OOPSIE_RATE_LIMIT_PER_IP":         "9000",
			"OOPSIE_TRUSTED_PROXIES":           " 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::ffff:172.16.0.9",
		}, func(t *testing.T, c *Config) {
			want := Config{
				Addr:                "127.0.0.1:0",
				DataDir:             "/srv/oopsie",
				PublicURL:           "https://bugs.example.com/oopsie",
				Database:            Database{Dialect: DialectSQLite, SQLitePath: filepath.Join("/srv/oopsie", "oopsie.db")},
				RedisURL:            "rediss://:pw@redis:6380/2",
				JWTSecret:           []byte(secret32),
				Storage:             Storage{Adapter: StorageLocal, LocalPath: filepath.Join("/srv/oopsie", "attachments")},
				Retention:           Retention{Reports: 1, Feedback: 36500, Crashes: 7, Attachments: 14},
				WebhookAllowPrivate: true,
				ReleasesURL:         "https://api.github.com/repos/x/y/releases/latest",
				LogLevel:            slog.LevelDebug,
				LogFormat:           "json",
				ShutdownTimeout:     10 * time.Minute,
				RateLimits:          RateLimits{PerKey: 5000, PerIP: 9000},
				TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
					netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("172.16.0.9/32")},
			}
			if !reflect.DeepEqual(*c, want) {
				t.Errorf("\n got %+v\nwant %+v", *c, want)
			}
		}},
		{"public url without path", map[string]string{"OOPSIE_PUBLIC_URL": "http://localhost:8080/"},
			func(t *testing.T, c *Config) {
				if c.PublicURL != "http://localhost:8080" {
					t.Errorf("PublicURL = %q", c.PublicURL)
				}
			}},
		{"redis unix socket", map[string]string{"REDIS_URL": "unix:///run/redis.sock"},
			func(t *testing.T, c *Config) {
				if c.RedisURL != "unix:///run/redis.sock" {
					t.Errorf("RedisURL = %q", c.RedisURL)
				}
			}},
		{"local path override", map[string]string{"STORAGE_LOCAL_PATH": "/mnt/files"},
			func(t *testing.T, c *Config) {
				if c.Storage.LocalPath != "/mnt/files" {
					t.Errorf("LocalPath = %q", c.Storage.LocalPath)
				}
			}},
		{"log level warn, text format", map[string]string{"OOPSIE_LOG_LEVEL": "warn", "OOPSIE_LOG_FORMAT": "text"},
			func(t *testing.T, c *Config) {
				if c.LogLevel != slog.LevelWarn || c.LogFormat != "text" {
					t.Errorf("LogLevel, LogFormat = %v, %q", c.LogLevel, c.LogFormat)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(envOf(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
	}{
		{"OOPSIE_ADDR", "abc"},
		{"OOPSIE_ADDR", ":http"},
		{"OOPSIE_ADDR", ":65536"},
		{"OOPSIE_ADDR", "localhost:"},
		{"OOPSIE_PUBLIC_URL", "bugs.example.com"},
		{"OOPSIE_PUBLIC_URL", "ftp://bugs.example.com"},
		{"OOPSIE_PUBLIC_URL", "https://bugs.example.com/?a=b"},
		{"OOPSIE_PUBLIC_URL", "https://bugs.example.com/#top"},
		{"OOPSIE_PUBLIC_URL", "https://u:p@bugs.example.com"},
		{"DATABASE_URL", "mysql://u@h/db"},
		{"DATABASE_URL", "host=db dbname=oopsie"},
		{"DATABASE_URL", "postgres:///oopsie"},
		{"DATABASE_URL", "sqlite://"},
		{"DATABASE_URL", "sqlite::memory:"},
		{"DATABASE_URL", "file:x.db?cache=shared"},
		{"DATABASE_URL", "sqlite:///data/100%.db"},
		{"REDIS_URL", "localhost:6379"},
		{"REDIS_URL", "http://redis:6379"},
		{"REDIS_URL", "redis://redis:6379/zero"},
		{"REDIS_URL", "redis:///0"},
		{"REDIS_URL", "unix://"},
		{"JWT_SECRET", "short"},
		{"JWT_SECRET", secret32[:31]},
		{"STORAGE_ADAPTER", "gcs"},
		{"STORAGE_S3_ENDPOINT", "minio:9000"},
		{"STORAGE_S3_KEY", ""}, // STORAGE_S3_SECRET alone, see env below
		{"OOPSIE_REPORT_RETENTION_DAYS", "0"},
		{"OOPSIE_FEEDBACK_RETENTION_DAYS", "36501"},
		{"OOPSIE_CRASH_RETENTION_DAYS", "ninety"},
		{"OOPSIE_ATTACHMENT_RETENTION_DAYS", "-1"},
		{"OOPSIE_WEBHOOK_ALLOW_PRIVATE", "yes"},
		{"OOPSIE_GRAPHQL_INTROSPECTION", "sometimes"},
		{"OOPSIE_RATE_LIMIT_PER_KEY", "0"},
		{"OOPSIE_RATE_LIMIT_PER_IP", "lots"},
		{"OOPSIE_RELEASES_URL", "github.com/x/y"},
		{"OOPSIE_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"},
		{"OOPSIE_TRUSTED_PROXIES", "10.0.0.0/33"},
		{"OOPSIE_LOG_LEVEL", "trace"},
		{"OOPSIE_LOG_FORMAT", "xml"},
		{"OOPSIE_SHUTDOWN_TIMEOUT", "15"},
		{"OOPSIE_SHUTDOWN_TIMEOUT", "0s"},
		{"OOPSIE_SHUTDOWN_TIMEOUT", "-1s"},
		{"OOPSIE_SHUTDOWN_TIMEOUT", "11m"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{tt.name: tt.value}
			if tt.name == "STORAGE_S3_KEY" {
				env = map[string]string{"STORAGE_S3_SECRET": "s"}
			}
			c, err := Load(envOf(env))
			if err == nil {
				t.Fatalf("Load accepted %s=%q: %+v", tt.name, tt.value, c)
			}
			if c != nil {
				t.Errorf("Load returned a config along with error %v", err)
			}
			errs := problems(t, err)
			if len(errs) != 1 {
				t.Fatalf("want exactly 1 problem, got %d: %v", len(errs), err)
			}
			if !strings.Contains(err.Error(), tt.name+": ") {
				t.Errorf("error %q does not name %s", err, tt.name)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"OOPSIE_ADDR":                  "abc",
		"DATABASE_URL":                 "mysql://h/db",
		"JWT_SECRET":                   "short",
		"OOPSIE_REPORT_RETENTION_DAYS": "0",
		"OOPSIE_WEBHOOK_ALLOW_PRIVATE": "maybe",
		"OOPSIE_SHUTDOWN_TIMEOUT":      "forever",
		"STORAGE_ADAPTER":              "s3",
		"STORAGE_S3_SECRET":            "half a pair",
	}
	_, err := Load(envOf(bad))
	if err == nil {
		t.Fatal("Load accepted a broken environment")
	}
	names := []string{"OOPSIE_ADDR", "DATABASE_URL", "JWT_SECRET", "OOPSIE_REPORT_RETENTION_DAYS",
		"OOPSIE_WEBHOOK_ALLOW_PRIVATE", "OOPSIE_SHUTDOWN_TIMEOUT", "STORAGE_S3_BUCKET", "STORAGE_S3_REGION",
		"STORAGE_S3_KEY"}
	for _, name := range names {
		if !strings.Contains(err.Error(), name+": ") {
			t.Errorf("error does not report %s:\n%v", name, err)
		}
	}
	if n := len(problems(t, err)); n != len(names) {
		t.Errorf("got %d problems, want %d:\n%v", n, len(names), err)
	}
	// The documented example message, verbatim.
	const addrMsg = `OOPSIE_ADDR: "abc" is not a valid listen address (want host:port, e.g. ":8080")`
	if !strings.Contains(err.Error(), addrMsg) {
		t.Errorf("error lacks %q:\n%v", addrMsg, err)
	}
}

func TestLoadHidesSecrets(t *testing.T) {
	t.Parallel()
	const pw = "Hunter2pw"
	tests := []struct{ name, value string }{
		{"DATABASE_URL", "postgres://oopsie:" + pw + "@/oopsie"},
		{"DATABASE_URL", "postgres://oopsie:" + pw + "/x@db/oopsie"},
		{"DATABASE_URL", "postgres://oopsie:" + pw + "#x@/oopsie"},
		{"DATABASE_URL", "postgres://oopsie:a" + pw + "@db:port/oopsie"},
		{"DATABASE_URL", "postgres:///oopsie?user=u&password=" + pw},
		{"DATABASE_URL", "mysql://oopsie:" + pw + "@db/oopsie"},
		{"DATABASE_URL", "host=db password=" + pw},
		{"DATABASE_URL", "host=db password='a " + pw + "'"},
		{"REDIS_URL", "redis://:" + pw + "@/0"},
		{"REDIS_URL", "redis://u:" + pw + "@redis/notadb"},
		{"REDIS_URL", "redis://:" + pw + "/x@redis/0"},
		{"REDIS_URL", "unix://:" + pw + "@"},
		{"REDIS_URL", "memcache://:" + pw + "@cache"},
		{"JWT_SECRET", pw},
		{"STORAGE_S3_SECRET", pw}, // without STORAGE_S3_KEY
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			_, err := Load(envOf(map[string]string{tt.name: tt.value}))
			if err == nil {
				t.Fatalf("Load accepted %s=%q", tt.name, tt.value)
			}
			if !strings.Contains(err.Error(), tt.name) && !strings.Contains(err.Error(), "STORAGE_S3_KEY") {
				t.Errorf("error %q names neither %s nor its pair", err, tt.name)
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
	// When a URL is echoed, it is the redacted form, not nothing at all.
	_, err := Load(envOf(map[string]string{"DATABASE_URL": "postgres://oopsie:" + pw + "@/db"}))
	if want := `"postgres://oopsie:xxxxx@/db" has no host`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v does not contain %s", err, want)
	}
}

func TestLoadDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want Database
	}{
		{"", Database{Dialect: DialectSQLite, SQLitePath: filepath.Join("/d", "oopsie.db")}},
		{"sqlite:///var/lib/oopsie/oopsie.db", Database{Dialect: DialectSQLite, SQLitePath: "/var/lib/oopsie/oopsie.db"}},
		{"sqlite://./data/x.db", Database{Dialect: DialectSQLite, SQLitePath: "./data/x.db"}},
		{"sqlite:x.db", Database{Dialect: DialectSQLite, SQLitePath: "x.db"}},
		{"file:x.db", Database{Dialect: DialectSQLite, SQLitePath: "x.db"}},
		{"file:///tmp/my%20db.db", Database{Dialect: DialectSQLite, SQLitePath: "/tmp/my db.db"}},
		{"SQLite:///a.db", Database{Dialect: DialectSQLite, SQLitePath: "/a.db"}},
		{"postgres://u:p@db:5432/oopsie?sslmode=disable",
			Database{Dialect: DialectPostgres, URL: "postgres://u:p@db:5432/oopsie?sslmode=disable"}},
		{"postgresql://db/oopsie", Database{Dialect: DialectPostgres, URL: "postgresql://db/oopsie"}},
		{"postgres:///oopsie?host=/var/run/postgresql",
			Database{Dialect: DialectPostgres, URL: "postgres:///oopsie?host=/var/run/postgresql"}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			c, err := Load(envOf(map[string]string{"DATABASE_URL": tt.url, "OOPSIE_DATA_DIR": "/d"}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Database != tt.want {
				t.Errorf("Database = %+v, want %+v", c.Database, tt.want)
			}
		})
	}
}

func TestLoadS3(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"STORAGE_ADAPTER":     "s3",
		"STORAGE_S3_BUCKET":   "b",
		"STORAGE_S3_REGION":   "eu-west-3",
		"STORAGE_S3_KEY":      "AKIA",
		"STORAGE_S3_SECRET":   "shh",
		"STORAGE_S3_ENDPOINT": "http://minio:9000",
	}
	without := func(keys ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for _, k := range keys {
			delete(m, k)
		}
		return m
	}
	tests := []struct {
		name     string
		env      map[string]string
		wantVars []string // empty: must load
	}{
		{"complete", full, nil},
		// Without a key pair, the SDK's default chain provides credentials.
		{"no credentials", without("STORAGE_S3_KEY", "STORAGE_S3_SECRET", "STORAGE_S3_ENDPOINT"), nil},
		{"no bucket", without("STORAGE_S3_BUCKET"), []string{"STORAGE_S3_BUCKET"}},
		{"no region", without("STORAGE_S3_REGION"), []string{"STORAGE_S3_REGION"}},
		{"neither", without("STORAGE_S3_BUCKET", "STORAGE_S3_REGION"), []string{"STORAGE_S3_BUCKET", "STORAGE_S3_REGION"}},
		{"key without secret", without("STORAGE_S3_SECRET"), []string{"STORAGE_S3_SECRET"}},
		{"secret without key", without("STORAGE_S3_KEY"), []string{"STORAGE_S3_KEY"}},
		{"local ignores missing bucket", map[string]string{"STORAGE_ADAPTER": "local"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(envOf(tt.env))
			if len(tt.wantVars) == 0 {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if c.Storage.Adapter != tt.env["STORAGE_ADAPTER"] || c.Storage.S3.Bucket != tt.env["STORAGE_S3_BUCKET"] ||
					c.Storage.S3.Region != tt.env["STORAGE_S3_REGION"] || c.Storage.S3.AccessKey != tt.env["STORAGE_S3_KEY"] ||
					c.Storage.S3.SecretKey != tt.env["STORAGE_S3_SECRET"] || c.Storage.S3.Endpoint != tt.env["STORAGE_S3_ENDPOINT"] {
					t.Errorf("Storage = %+v, env %v", c.Storage, tt.env)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load accepted %v", tt.env)
			}
			if n := len(problems(t, err)); n != len(tt.wantVars) {
				t.Errorf("got %d problems, want %d: %v", n, len(tt.wantVars), err)
			}
			for _, v := range tt.wantVars {
				if !strings.Contains(err.Error(), v+": ") {
					t.Errorf("error %q does not name %s", err, v)
				}
			}
		})
	}
}

func readSecretFile(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "jwt_secret"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResolveJWTSecretCreatesOnce(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	c := &Config{DataDir: dir}
	if err := c.ResolveJWTSecret(); err != nil {
		t.Fatalf("first ResolveJWTSecret: %v", err)
	}
	if len(c.JWTSecret) != 64 {
		t.Errorf("secret is %d bytes, want 64 hex characters", len(c.JWTSecret))
	}
	if !bytes.Equal(c.JWTSecret, readSecretFile(t, dir)) {
		t.Errorf("c.JWTSecret %q differs from the file", c.JWTSecret)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, "jwt_secret"): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != want {
				t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
			}
		}
	}

	again := &Config{DataDir: dir}
	if err := again.ResolveJWTSecret(); err != nil {
		t.Fatalf("second ResolveJWTSecret: %v", err)
	}
	if !bytes.Equal(again.JWTSecret, c.JWTSecret) {
		t.Errorf("second call gave %q, first %q", again.JWTSecret, c.JWTSecret)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only jwt_secret (temp files left behind?)", len(entries))
	}
}

func TestResolveJWTSecretConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 8
	secrets := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := &Config{DataDir: dir}
			errs[i] = c.ResolveJWTSecret()
			secrets[i] = c.JWTSecret
		})
	}
	wg.Wait()
	file := readSecretFile(t, dir)
	for i := range n {
		if errs[i] != nil {
			t.Errorf("goroutine %d: %v", i, errs[i])
		} else if !bytes.Equal(secrets[i], file) {
			t.Errorf("goroutine %d got %q, file holds %q", i, secrets[i], file)
		}
	}
}

func TestResolveJWTSecretRejectsBadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		content  string
		mode     os.FileMode
		wantText string
	}{
		{"world readable", strings.Repeat("a", 64), 0o644, "mode"},
		{"group writable", strings.Repeat("a", 64), 0o620, "mode"},
		{"empty", "", 0o600, "holds 0 bytes"},
		{"short", " " + secret32[:31] + "\n", 0o600, "holds 31 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.mode&0o077 != 0 && runtime.GOOS == "windows" {
				t.Skip("no unix permissions")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "jwt_secret")
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // umask may have masked bits
				t.Fatal(err)
			}
			c := &Config{DataDir: dir}
			err := c.ResolveJWTSecret()
			if err == nil {
				t.Fatalf("accepted %s secret file", tt.name)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q should name %s and say %q", err, path, tt.wantText)
			}
			if c.JWTSecret != nil {
				t.Errorf("JWTSecret set despite error: %q", c.JWTSecret)
			}
			if got := readSecretFile(t, dir); string(got) != tt.content {
				t.Errorf("file was rewritten to %q", got)
			}
		})
	}
}

func TestResolveJWTSecretTrimsHandWrittenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "jwt_secret"), []byte(secret32+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Config{DataDir: dir}
	if err := c.ResolveJWTSecret(); err != nil {
		t.Fatal(err)
	}
	if string(c.JWTSecret) != secret32 {
		t.Errorf("JWTSecret = %q, want %q", c.JWTSecret, secret32)
	}
}

func TestResolveJWTSecretFromEnvWritesNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	c, err := Load(envOf(map[string]string{"JWT_SECRET": secret32, "OOPSIE_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ResolveJWTSecret(); err != nil {
		t.Fatal(err)
	}
	if string(c.JWTSecret) != secret32 {
		t.Errorf("JWTSecret = %q, want JWT_SECRET's value", c.JWTSecret)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data dir was touched: stat err = %v", err)
	}
}
