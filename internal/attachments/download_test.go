package attachments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/storage"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// download serves one request through a mux holding the route as the
// router registers it, so r.PathValue works as in production.
func download(t *testing.T, store *attachments.Store, client *ent.Client, method, id string, v *viewer.Viewer) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/attachments/{id}", store.Download(client, slog.New(slog.DiscardHandler)))
	r := httptest.NewRequest(method, "/api/v1/attachments/"+id, nil)
	if v != nil {
		r = r.WithContext(viewer.NewContext(r.Context(), *v))
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

type envelope struct {
	Success bool `json:"success"`
	Error   struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func assertFailure(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}
	var env envelope
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
		t.Fatalf("body %q is not the JSON envelope: %v", w.Body, err)
	}
	if env.Success || env.Error.Code != code {
		t.Fatalf("envelope = %+v, want code %s", env, code)
	}
	if cd := w.Header().Get("Content-Disposition"); cd != "" {
		t.Fatalf("a failure carries Content-Disposition %q", cd)
	}
}

func saveOne(t *testing.T, f fixture, store *attachments.Store, u attachments.Upload) *ent.Attachment {
	t.Helper()
	var saved []*ent.Attachment
	err := inTx(t, f, func(tx *ent.Client) error {
		var err error
		saved, _, err = store.Save(f.sdk, tx, attachments.Owner{ReportID: f.report.ID}, []attachments.Upload{u})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return saved[0]
}

var (
	admin    = viewer.ForUser("usr_admin")
	apiToken = viewer.ForAPIToken("tok_ci")
)

func TestDownload(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		a := saveOne(t, f, store, attachments.Upload{Filename: "screen.png", Data: pngBytes})

		for _, v := range []viewer.Viewer{admin, apiToken} {
			w := download(t, store, f.db.Client, http.MethodGet, a.ID, &v)
			if w.Code != http.StatusOK {
				t.Fatalf("%s: status = %d, body %s", v.Kind, w.Code, w.Body)
			}
			if !bytes.Equal(w.Body.Bytes(), pngBytes) {
				t.Fatalf("%s: body is %d bytes, want the %d uploaded", v.Kind, w.Body.Len(), len(pngBytes))
			}
			for header, want := range map[string]string{
				"Content-Type":            "image/png",
				"Content-Length":          strconv.Itoa(len(pngBytes)),
				"Content-Disposition":     `attachment; filename="screen.png"; filename*=UTF-8''screen.png`,
				"X-Content-Type-Options":  "nosniff",
				"Cache-Control":           "private, no-store",
				"Content-Security-Policy": "default-src 'none'; sandbox",
			} {
				if got := w.Header().Get(header); got != want {
					t.Errorf("%s: %s = %q, want %q", v.Kind, header, got, want)
				}
			}
		}

		// HEAD answers the same headers without reading the blob out.
		w := download(t, store, f.db.Client, http.MethodHead, a.ID, &admin)
		if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") != strconv.Itoa(len(pngBytes)) {
			t.Fatalf("HEAD: status %d, %d body bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
		}
	})
}

func TestDownloadRefused(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		a := saveOne(t, f, store, attachments.Upload{Filename: "screen.png", Data: pngBytes})
		sdk := viewer.FromContext(f.sdk)

		// Anonymous callers learn nothing, not even whether the id exists.
		assertFailure(t, download(t, store, f.db.Client, http.MethodGet, a.ID, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
		assertFailure(t, download(t, store, f.db.Client, http.MethodGet, "att_unknown", nil), http.StatusUnauthorized, "UNAUTHENTICATED")
		// A public key may write attachments, never read them back.
		assertFailure(t, download(t, store, f.db.Client, http.MethodGet, a.ID, &sdk), http.StatusForbidden, "FORBIDDEN")
		assertFailure(t, download(t, store, f.db.Client, http.MethodGet, "att_01J0000000000000000000000", &admin), http.StatusNotFound, "NOT_FOUND")
	})
}

func TestDownloadStorageProblems(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		a := saveOne(t, f, store, attachments.Upload{Filename: "screen.png", Data: pngBytes})

		blobs.failGet = true
		w := download(t, store, f.db.Client, http.MethodGet, a.ID, &admin)
		assertFailure(t, w, http.StatusServiceUnavailable, "UNAVAILABLE")
		if got := w.Header().Get("Retry-After"); got != "30" {
			t.Fatalf("Retry-After = %q, want 30", got)
		}

		blobs.failGet = false
		if err := blobs.Blobs.Delete(context.Background(), a.StorageKey); err != nil {
			t.Fatal(err)
		}
		assertFailure(t, download(t, store, f.db.Client, http.MethodGet, a.ID, &admin), http.StatusNotFound, "NOT_FOUND")
	})
}

// Rows can hold any name (older versions, imports, direct writes), so the
// header must be safe whatever Save would have made of it, and a stored
// type Sniff could not have produced is not trusted.
func TestDownloadHostileRow(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		const name = "\"evil\"\r\nSet-Cookie: a=b; résumé ☕.html"
		body := []byte("<script>alert(1)</script>")
		key := storage.NewKey()
		if err := blobs.Put(context.Background(), key, bytes.NewReader(body), int64(len(body)), "text/html"); err != nil {
			t.Fatal(err)
		}
		a, err := f.db.Client.Attachment.Create().SetReportID(f.report.ID).SetFilename(name).SetMimeType("text/html").
			SetSize(int64(len(body))).SetSha256(sha(body)).SetStorageKey(key).Save(system)
		if err != nil {
			t.Fatal(err)
		}

		w := download(t, store, f.db.Client, http.MethodGet, a.ID, &admin)
		if w.Code != http.StatusOK {
			t.Fatalf("status = %d, body %s", w.Code, w.Body)
		}
		if got := w.Header().Get("Content-Type"); got != "application/octet-stream" {
			t.Errorf("Content-Type = %q, want application/octet-stream", got)
		}
		if got := w.Header().Values("Set-Cookie"); len(got) != 0 {
			t.Errorf("the file name injected Set-Cookie %q", got)
		}
		cd := w.Header().Get("Content-Disposition")
		if strings.ContainsAny(cd, "\r\n") {
			t.Errorf("Content-Disposition %q holds a line break", cd)
		}
		disp, params, err := mime.ParseMediaType(cd)
		if err != nil || disp != "attachment" || params["filename"] != name {
			t.Errorf("Content-Disposition %q parses as %q %q (%v), want attachment with the exact name", cd, disp, params["filename"], err)
		}
		got, _ := io.ReadAll(w.Body)
		if !bytes.Equal(got, body) {
			t.Errorf("body = %q", got)
		}
	})
}
