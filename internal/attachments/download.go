package attachments

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/rest"
	"github.com/yoanbernabeu/oopsie/internal/storage"
)

// Download serves GET /api/v1/attachments/{id} to admins. Who may read is
// left to the privacy policy, through the viewer the auth middleware put in
// the request context: anonymous callers get 401, public keys 403, and an
// unknown id 404 only once the caller is allowed to know.
//
// Attachments are user-supplied content served from the dashboard's origin,
// so the response forbids every way a browser could render or run it:
// attachment disposition, nosniff, and a sandboxing CSP.
func (s *Store) Download(client *ent.Client, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := r.PathValue("id")
		a, err := client.Attachment.Get(ctx, id)
		if ent.IsNotFound(err) {
			rest.WriteError(w, r, logger, apperr.New(apperr.NotFound, "attachment not found"))
			return
		}
		if err != nil {
			rest.WriteError(w, r, logger, fmt.Errorf("load attachment %s: %w", id, err))
			return
		}
		blob, err := s.blobs.Get(ctx, a.StorageKey)
		if errors.Is(err, storage.ErrNotFound) {
			// The row outlived its bytes: a failed retention pass or a
			// restored database. Worth an operator's look, not a 500.
			logging.FromContext(ctx, logger).WarnContext(ctx, "attachment blob missing", "attachment", a.ID, "key", a.StorageKey)
			rest.WriteError(w, r, logger, apperr.New(apperr.NotFound, "the attachment's content is no longer stored"))
			return
		}
		if err != nil {
			rest.WriteError(w, r, logger, &apperr.Error{
				Kind:       apperr.Unavailable,
				Message:    "attachment storage is unavailable, please retry later",
				RetryAfter: RetryAfter,
				Err:        fmt.Errorf("open attachment %s: %w", a.ID, err),
			})
			return
		}
		defer blob.Close()

		h := w.Header()
		h.Set("Content-Type", servedType(a.MimeType))
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
		h.Set("Content-Disposition", contentDisposition(a.Filename))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if _, err := io.Copy(w, blob); err != nil {
			// Headers are gone; the short body against Content-Length is
			// how the client learns of the failure.
			logging.FromContext(ctx, logger).WarnContext(ctx, "attachment download cut short",
				"attachment", a.ID, "error", err)
		}
	})
}

// servedType repeats the stored type only if Sniff could have produced it,
// so a row written by other means cannot make the browser render HTML.
func servedType(stored string) string {
	if slices.Contains(Accepted, stored) {
		return stored
	}
	return "application/octet-stream"
}

// contentDisposition is an attachment disposition for name, per RFC 6266:
// an ASCII-only filename for old clients, and filename* with the exact
// name in UTF-8, percent-encoded per RFC 8187 (formerly 5987). Neither can
// carry a quote, backslash or line break out of its parameter.
func contentDisposition(name string) string {
	name = strings.ToValidUTF8(name, "_")
	if name == "" {
		name = defaultFilename
	}
	var fallback, encoded strings.Builder
	for _, r := range name {
		// Some browsers percent-decode filename, so '%' is replaced too.
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' {
			fallback.WriteByte('_')
		} else {
			fallback.WriteRune(r)
		}
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isAttrChar(c) {
			encoded.WriteByte(c)
			continue
		}
		encoded.WriteByte('%')
		encoded.WriteByte(hex[c>>4])
		encoded.WriteByte(hex[c&0x0f])
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + encoded.String()
}

// isAttrChar is RFC 8187's attr-char: what may appear unencoded in an
// extended parameter value.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
