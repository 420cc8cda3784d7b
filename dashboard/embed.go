// Package dashboard embeds the built React dashboard (dist/) into the binary
// and serves it as a single-page application.
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
	"strings"
	"time"
)

//go:embed all:dist
var distFS embed.FS

const (
	indexFile = "index.html"
	// assetsDir holds the bundler's content-hashed files: their names change
	// whenever their content does, so they may be cached for good.
	assetsDir = "assets"

	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// Handler serves the embedded dashboard:
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
// carries X-Content-Type-Options: nosniff. The handler is meant to be mounted
// at "/" after the API routes (/graphql, /api/, /sdk/, /healthz, /readyz).
func Handler() http.Handler {
	dist, err := fs.Sub(distFS, "dist")
	if err != nil {
		// Unreachable: "dist" is a valid literal path embedded above.
		panic("dashboard: " + err.Error())
	}
	return &spa{fs: dist, etags: computeETags(dist)}
}

type spa struct {
	fs    fs.FS
	etags map[string]string // file name in dist → strong ETag
}

func (h *spa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
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
