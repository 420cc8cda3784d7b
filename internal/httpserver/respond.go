package httpserver

import (
	"encoding/json"
	"net/http"

	"github.com/yoanbernabeu/oopsie/internal/rest"
)

// writeError renders an error response in the REST envelope, like every
// other REST route.
func writeError(w http.ResponseWriter, status int, code, message string) {
	rest.WriteFailure(w, status, code, message)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	// Only package-defined, always-marshalable values are passed in, so the
	// error cannot happen; ignoring it avoids an untestable branch.
	body, _ := json.Marshal(v)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// A write error means the client went away; there is nobody to tell.
	_, _ = w.Write(append(body, '\n'))
}
