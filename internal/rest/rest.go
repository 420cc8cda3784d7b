// Package rest is the JSON envelope of Oopsie's REST routes (ingest, auth,
// version): decoding with limits, and the one place where errors become
// HTTP statuses.
//
//	success: {"success": true, "data": …}
//	failure: {"success": false, "error": {"code": …, "message": …, "fields": {…}}}
package rest

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

type envelope struct {
	Success bool       `json:"success"`
	Data    any        `json:"data,omitempty"`
	Error   *errorBody `json:"error,omitempty"`
}

type errorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// WriteData answers status with data in the success envelope.
func WriteData(w http.ResponseWriter, status int, data any) {
	write(w, status, envelope{Success: true, Data: data})
}

// WriteError answers with the status and code of err's kind. Internal
// errors are logged with the request id and answered with a generic message.
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	kind := apperr.KindOf(err)
	body := &errorBody{Code: kind.Code()}
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae) && kind != apperr.Internal:
		body.Message, body.Fields = ae.Message, ae.Fields
		if ae.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(ae.RetryAfter.Seconds()))))
		}
	case errors.Is(err, viewer.ErrUnauthenticated):
		kind, body.Code, body.Message = apperr.Unauthenticated, apperr.Unauthenticated.Code(), "authentication required"
	case errors.Is(err, viewer.ErrForbidden):
		kind, body.Code, body.Message = apperr.Forbidden, apperr.Forbidden.Code(), "not allowed"
	default:
		logging.FromContext(r.Context(), logger).ErrorContext(r.Context(), "request failed",
			"method", r.Method, "path", r.URL.Path, "error", err)
		body.Message = "internal error"
	}
	write(w, Status(kind), envelope{Error: body})
}

// WriteFailure answers a failure that did not come from a service, such as
// an unknown route or a recovered panic.
func WriteFailure(w http.ResponseWriter, status int, code, message string) {
	write(w, status, envelope{Error: &errorBody{Code: code, Message: message}})
}

// Status is the HTTP status of an error kind.
func Status(k apperr.Kind) int {
	switch k {
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusInternalServerError
	}
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// DecodeJSON reads one JSON object of at most maxBytes into dst, refusing
// unknown fields, trailing data and other content types, with errors the
// caller can act on.
func DecodeJSON(w http.ResponseWriter, r *http.Request, maxBytes int64, dst any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return apperr.New(apperr.UnsupportedMediaType, "the body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, maxBytes)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "the body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error, maxBytes int64) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		tooBig *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBig):
		return apperr.New(apperr.TooLarge, "the body is larger than %d bytes", maxBytes)
	case errors.As(err, &syntax):
		return apperr.New(apperr.Invalid, "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return apperr.InvalidField(typ.Field, "must be a "+typ.Type.String())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "the body is empty or cut short")
	default:
		// Unknown fields: encoding/json says `json: unknown field "x"`.
		return apperr.New(apperr.Invalid, "%s", trimJSONPrefix(err.Error()))
	}
}

func trimJSONPrefix(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
