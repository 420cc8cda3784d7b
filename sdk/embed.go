// Package sdk embeds the SDK's CDN build (dist/oopsie.js, the global Oopsie)
// and serves it, so that an Oopsie instance hands its own SDK to the pages
// that report to it. The build is committed, so the binary builds without
// Node; `make test-sdk` fails when it is stale.
package sdk

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

//go:embed dist/oopsie.js
var script []byte

// etag is the build's strong validator, computed once.
var etag = func() string {
	sum := sha256.Sum256(script)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// cacheControl is short because the URL is not content-hashed: an upgraded
// instance's SDK reaches pages within minutes, and revalidating costs a 304.
const cacheControl = "public, max-age=300"

// Script returns the embedded build.
func Script() []byte { return script }

// Handler serves the CDN build. It is a public script loaded by any site
// that uses Oopsie, so any origin may fetch it (for crossorigin="anonymous"
// tags and subresource integrity checks).
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", cacheControl)
		h.Set("ETag", etag)
		h.Set("Access-Control-Allow-Origin", "*")
		// Embedded files have no modification time: conditional requests
		// are answered from the ETag alone.
		http.ServeContent(w, r, "oopsie.js", time.Time{}, bytes.NewReader(script))
	})
}
