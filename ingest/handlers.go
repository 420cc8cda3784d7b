package ingest

import (
	"context"
	"net/http"

	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/keys"
	"github.com/yoanbernabeu/oopsie/internal/rest"
)

// created is the success answer of an ingest route.
type created struct {
	ID      string `json:"id"`
	GroupID string `json:"groupId,omitempty"`
}

// Report is POST /api/v1/reports: a bug report from the widget.
func (h *Handler) Report(w http.ResponseWriter, r *http.Request) {
	serve(h, w, r, "", "report", func(ctx context.Context, q reportRequest, k keys.Key, files []attachments.Upload) (created, error) {
		in, err := q.input(k.ProjectID, k.ID)
		if err != nil {
			return created{}, err
		}
		in.Attachments = append(in.Attachments, files...)
		res, err := h.d.Reports.Ingest(ctx, in)
		return created{ID: res.ID, GroupID: res.GroupID}, err
	})
}

// Feedback is POST /sdk/{slug}/feedback.
func (h *Handler) Feedback(w http.ResponseWriter, r *http.Request) {
	serve(h, w, r, r.PathValue("slug"), "feedback", func(ctx context.Context, q feedbackRequest, k keys.Key, files []attachments.Upload) (created, error) {
		in, err := q.input(k.ProjectID, k.ID)
		if err != nil {
			return created{}, err
		}
		in.Attachments = append(in.Attachments, files...)
		id, err := h.d.Feedback.Ingest(ctx, in)
		return created{ID: id}, err
	})
}

// Crash is POST /sdk/{slug}/crashes.
func (h *Handler) Crash(w http.ResponseWriter, r *http.Request) {
	serve(h, w, r, r.PathValue("slug"), "crash", func(ctx context.Context, q crashRequest, k keys.Key, files []attachments.Upload) (created, error) {
		in, err := q.input(k.ProjectID, k.ID)
		if err != nil {
			return created{}, err
		}
		in.Attachments = append(in.Attachments, files...)
		in.FingerprintIgnore = k.FingerprintIgnore
		res, err := h.d.Crashes.Ingest(ctx, in)
		return created{ID: res.ID, GroupID: res.GroupID}, err
	})
}

// serve is every ingest route: admit, decode the body (the JSON document is
// the multipart part named part), call the service, answer 201.
func serve[Q any](h *Handler, w http.ResponseWriter, r *http.Request, slug, part string,
	call func(ctx context.Context, q Q, k keys.Key, files []attachments.Upload) (created, error)) {
	ctx, k, err := h.admit(w, r, slug)
	if err != nil {
		rest.WriteError(w, r, h.d.Logger, err)
		return
	}
	sub, err := decode(w, r, part)
	if err != nil {
		rest.WriteError(w, r, h.d.Logger, err)
		return
	}
	var q Q
	if err := unmarshal(sub.doc, &q); err != nil {
		rest.WriteError(w, r, h.d.Logger, err)
		return
	}
	out, err := call(ctx, q, k, sub.files)
	if err != nil {
		rest.WriteError(w, r, h.d.Logger, err)
		return
	}
	rest.WriteData(w, http.StatusCreated, out)
}
