package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewAutoIsJSONForNonTerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	New(&buf, slog.LevelInfo, "").Info("hello", "k", "v")

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("output is not JSON: %v: %q", err, buf.String())
	}
	if rec["msg"] != "hello" || rec["k"] != "v" {
		t.Fatalf("unexpected record: %v", rec)
	}
}

func TestNewAutoIsJSONForRegularFile(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	New(f, slog.LevelInfo, "").Info("hello")

	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("output is not JSON: %q", b)
	}
}

func TestIsTerminalCharDevice(t *testing.T) {
	t.Parallel()
	// /dev/null is a character device, the same mode bit a TTY has.
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no %s: %v", os.DevNull, err)
	}
	defer f.Close()
	if !IsTerminal(f) {
		t.Fatalf("%s not detected as a character device", os.DevNull)
	}
	if IsTerminal(&bytes.Buffer{}) {
		t.Fatal("bytes.Buffer detected as a terminal")
	}
}

func TestNewForcedFormats(t *testing.T) {
	t.Parallel()
	var text bytes.Buffer
	New(&text, slog.LevelInfo, "text").Info("hello")
	if json.Valid(text.Bytes()) || !strings.Contains(text.String(), "msg=hello") {
		t.Fatalf("forced text produced %q", text.String())
	}

	var js bytes.Buffer
	New(&js, slog.LevelInfo, "json").Info("hello")
	if !json.Valid(js.Bytes()) {
		t.Fatalf("forced json produced %q", js.String())
	}
}

func TestNewLevel(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, slog.LevelWarn, "json")
	l.Info("dropped")
	l.Warn("kept")
	if strings.Contains(buf.String(), "dropped") || !strings.Contains(buf.String(), "kept") {
		t.Fatalf("level not applied: %q", buf.String())
	}
}

func TestContextRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	base := New(&buf, slog.LevelInfo, "json")
	fallback := slog.New(slog.DiscardHandler)

	ctx := WithContext(context.Background(), base.With("request_id", "abc"))
	FromContext(ctx, fallback).Info("deep")

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["request_id"] != "abc" {
		t.Fatalf("request_id not carried: %v", rec)
	}
}

func TestFromContextFallback(t *testing.T) {
	t.Parallel()
	fallback := slog.New(slog.DiscardHandler)
	if got := FromContext(context.Background(), fallback); got != fallback {
		t.Fatal("fallback not returned for empty context")
	}
	if got := FromContext(context.Background(), nil); got == nil {
		t.Fatal("nil returned with no logger and no fallback")
	}
}

func TestBar(t *testing.T) {
	t.Parallel()
	for pct, want := range map[int]string{
		-5:  "[------------------------------]",
		0:   "[------------------------------]",
		50:  "[###############---------------]",
		100: "[##############################]",
		120: "[##############################]",
	} {
		if got := Bar(pct); got != want {
			t.Errorf("Bar(%d) = %q, want %q", pct, got, want)
		}
	}
}
