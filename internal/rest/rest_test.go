package rest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/rest"
)

type body struct {
	Success bool
	Error   struct {
		Code    string
		Message string
		Fields  map[string]string
	}
}

func decodeWith(contentType, payload string) (*httptest.ResponseRecorder, error) {
	r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(payload))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	var dst struct {
		Email string `json:"email"`
		Age   int    `json:"age"`
	}
	err := rest.DecodeJSON(w, r, 64, &dst)
	if err != nil {
		rest.WriteError(w, r, slog.New(slog.DiscardHandler), err)
	}
	return w, err
}

func TestDecodeJSONAnswersEachProblemPrecisely(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, contentType, payload string
		status                     int
		code, field                string
	}{
		{"not JSON content type", "text/plain", `{}`, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"too large", "application/json", `{"email":"` + strings.Repeat("a", 100) + `"}`, 413, "PAYLOAD_TOO_LARGE", ""},
		{"malformed", "application/json", `{"email":`, 400, "BAD_USER_INPUT", ""},
		{"wrong type", "application/json", `{"age":"old"}`, 400, "BAD_USER_INPUT", "age"},
		{"unknown field", "application/json", `{"admin":true}`, 400, "BAD_USER_INPUT", ""},
		{"two objects", "application/json", `{} {}`, 400, "BAD_USER_INPUT", ""},
		{"empty", "application/json; charset=utf-8", ``, 400, "BAD_USER_INPUT", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, err := decodeWith(tc.contentType, tc.payload)
			if err == nil {
				t.Fatal("DecodeJSON accepted the body")
			}
			var b body
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
				t.Fatalf("error body %q: %v", w.Body.String(), err)
			}
			if w.Code != tc.status || b.Success || b.Error.Code != tc.code || b.Error.Message == "" {
				t.Errorf("got %d %+v, want %d %s", w.Code, b, tc.status, tc.code)
			}
			if tc.field != "" && b.Error.Fields[tc.field] == "" {
				t.Errorf("no field error for %q: %+v", tc.field, b.Error.Fields)
			}
		})
	}
	if _, err := decodeWith("application/json", `{"email":"a@b.c","age":3}`); err != nil {
		t.Errorf("a valid body was refused: %v", err)
	}
}

func TestWriteErrorHidesInternalsAndSetsRetryAfter(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	w := httptest.NewRecorder()
	rest.WriteError(w, r, slog.New(slog.DiscardHandler), fmt.Errorf("store: %w", errors.New("pq: password=hunter2 refused")))
	if w.Code != 500 || strings.Contains(w.Body.String(), "hunter2") || !strings.Contains(w.Body.String(), `"INTERNAL"`) {
		t.Errorf("internal error answered %d %s", w.Code, w.Body.String())
	}

	w = httptest.NewRecorder()
	rest.WriteError(w, r, slog.New(slog.DiscardHandler), &apperr.Error{Kind: apperr.RateLimited, Message: "slow down", RetryAfter: 1500 * time.Millisecond})
	if w.Code != 429 || w.Header().Get("Retry-After") != "2" {
		t.Errorf("rate limited answered %d with Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	b, _ := io.ReadAll(w.Body)
	if !strings.Contains(string(b), `"RATE_LIMITED"`) {
		t.Errorf("body %s", b)
	}
}
