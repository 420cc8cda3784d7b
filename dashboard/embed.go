// Package dashboard embeds the built React dashboard into the binary and
// serves it as a single-page application.
//
// dist/ holds two trees: placeholder/ is tracked in git, so `go build` works
// on a fresh clone without Node; app/ is Vite's output (git-ignored, so a real
// build never dirties the tree). The app is served when it was built, the
// placeholder otherwise.
package dashboard

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

//go:embed all:dist
var distFS embed.FS

const (
	appDir         = "dist/app"
	placeholderDir = "dist/placeholder"

	indexFile = "index.html"
	// assetsDir holds the bundler's content-hashed files: their names change
	// whenever their content does, so they may be cached for good.
	assetsDir = "assets"

	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// Handler serves the embedded dashboard (see the package comment for which):
//
//   - a file that exists in dist/ is served as is; files under /assets/ are
//     content-hashed and get a one-year immutable cache, every other file
//     (index.html, favicon, …) is sent with "no-cache" and an ETag so that a
//     new release is picked up at once;
//   - a missing path under /assets/ is a 404: answering a missing script or
//     stylesheet with HTML only hides a stale or broken deployment;
//   - any other path that is not a file (/, /reports/rep_123, …) gets
//     index.html, so the client-side router can resolve it.
//
// Only GET and HEAD are allowed; other methods get 405. Every response
// carries X-Content-Type-Options: nosniff and a strict Content-Security-Policy. The handler is meant to be mounted
// at "/" after the API routes (/graphql, /api/, /sdk/, /healthz, /readyz).
func Handler() http.Handler {
	return newSPA(distFS)
}

// newSPA serves root's built app, or its placeholder when the app is absent.
func newSPA(root fs.FS) *spa {
	dir := placeholderDir
	if _, err := fs.Stat(root, path.Join(appDir, indexFile)); err == nil {
		dir = appDir
	}
	dist, err := fs.Sub(root, dir)
	if err != nil {
		// Unreachable: dir is a valid literal path.
		panic("dashboard: " + err.Error())
	}
	return &spa{fs: dist, etags: computeETags(dist)}
}

// contentSecurityPolicy forbids inline scripts and styles and every foreign
// host: the bundle, its stylesheet and its fonts are all served from here.
// Images may also be data: URLs (inlined icons) and blob: URLs (attachments
// fetched with the session's token). Connections go to this origin only; the
// ws:/wss: sources repeat it because older browsers do not count WebSockets
// to the same host as 'self'.
func contentSecurityPolicy(host string) string {
	connect := "'self'"
	if validHost.MatchString(host) {
		connect += " ws://" + host + " wss://" + host
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
		"font-src 'self'; connect-src " + connect + "; manifest-src 'self'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors 'none'; object-src 'none'"
}

// validHost guards the header against a Host that could smuggle in another
// directive; net/http already rejects most such hosts, tests and proxies may not.
var validHost = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

type spa struct {
	fs    fs.FS
	etags map[string]string // file name in dist → strong ETag
}

func (h *spa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy(r.Host))
	w.Header().Set("Referrer-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}

	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = indexFile
	}
	inAssets := name == assetsDir || strings.HasPrefix(name, assetsDir+"/")

	if h.serveFile(w, r, name, inAssets) {
		return
	}
	if inAssets {
		http.NotFound(w, r)
		return
	}
	if !h.serveFile(w, r, indexFile, false) {
		http.Error(w, "dashboard: index.html is missing from the build", http.StatusNotFound)
	}
}

// serveFile writes the regular file name from dist and reports whether it
// existed. Directories count as missing.
func (h *spa) serveFile(w http.ResponseWriter, r *http.Request, name string, immutable bool) bool {
	etag, ok := h.etags[name]
	if !ok {
		return false
	}
	f, err := h.fs.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return false
	}

	if immutable {
		w.Header().Set("Cache-Control", cacheImmutable)
	} else {
		w.Header().Set("Cache-Control", cacheRevalidate)
	}
	w.Header().Set("ETag", etag)
	// Embedded files have no modification time; ServeContent then relies on
	// the ETag alone for conditional requests.
	http.ServeContent(w, r, name, time.Time{}, rs)
	return true
}

// computeETags hashes every regular file once, at start-up.
func computeETags(dist fs.FS) map[string]string {
	etags := make(map[string]string)
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := fs.ReadFile(dist, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		etags[p] = `"` + hex.EncodeToString(sum[:16]) + `"`
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		panic("dashboard: reading embedded files: " + err.Error())
	}
	return etags
}
