// Package logging builds the process logger and carries request-scoped
// loggers through a context. It deliberately has no package-level logger:
// callers inject a *slog.Logger everywhere.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
)

// New returns the process logger writing to w at level.
//
// format "json" or "text" forces the handler. Any other value (normally "")
// means auto: text when w is a terminal, JSON otherwise, so an operator at a
// shell gets readable lines while containers and log shippers (pipes, files)
// get structured ones. Validating user-supplied values is the caller's job.
func New(w io.Writer, level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" || (format != "json" && IsTerminal(w)) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// IsTerminal approximates "a human is watching" without a third-party
// isatty: a character device is a TTY in practice (or /dev/null, where
// output meant for people is as good as any).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}

// Bar is a 30-character progress bar for pct percent, "[#####-----…]",
// for commands that redraw their progress in place on a terminal.
func Bar(pct int) string {
	const width = 30
	filled := min(max(pct, 0), 100) * width / 100
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", width-filled) + "]"
}

type ctxKey struct{}

// WithContext returns a copy of ctx carrying logger, so code further down the
// call chain logs with the same attributes (e.g. request_id).
func WithContext(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, ctxKey{}, logger)
}

// FromContext returns the logger stored by WithContext, else fallback. It
// never returns nil: with neither available it returns a logger that discards
// everything, so callers need no nil checks.
func FromContext(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(ctxKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	if fallback != nil {
		return fallback
	}
	return slog.New(slog.DiscardHandler)
}
