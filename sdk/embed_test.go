package sdk

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandlerServesTheBuild(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sdk/oopsie.js", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	for name, want := range map[string]string{
		"Content-Type":                "text/javascript; charset=utf-8",
		"X-Content-Type-Options":      "nosniff",
		"Cache-Control":               cacheControl,
		"Access-Control-Allow-Origin": "*",
		"ETag":                        etag,
	} {
		if got := rec.Header().Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !bytes.Equal(rec.Body.Bytes(), Script()) {
		t.Error("the body is not the embedded build")
	}
	// The build defines the global the integration snippet calls.
	if !bytes.Contains(Script(), []byte("Oopsie")) || len(Script()) < 1000 {
		t.Errorf("the embedded build (%d bytes) does not look like the SDK", len(Script()))
	}
}

func TestHandlerAnswersRevalidationWith304(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/sdk/oopsie.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Fatalf("status = %d with %d bytes, want 304 and no body", rec.Code, rec.Body.Len())
	}
}
