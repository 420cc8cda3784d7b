package httpserver

import (
	"encoding/json"
	"net/http"
)

// Error codes of the JSON error envelope.
const (
	codeNotFound = "NOT_FOUND"
	codeInternal = "INTERNAL"
)

type errorEnvelope struct {
	Success bool        `json:"success"`
	Error   errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError is the single place this package renders an error response, so
// every error has the same {"success":false,"error":{...}} shape.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorEnvelope{Error: errorDetail{Code: code, Message: message}})
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
