package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
)

// maxBodyBytes bounds a submission as sent: 20 MB of attachments grow by a
// third in base64, plus the JSON around them.
const maxBodyBytes = attachments.MaxSubmissionBytes*4/3 + 4<<20

// maxJSONBytes bounds the JSON part of a multipart submission, and a JSON
// body's fields other than attachments are bounded field by field.
const maxJSONBytes = 4 << 20

// readBody reads the whole body within maxBodyBytes, after undoing a gzip
// Content-Encoding, whose decompressed size is bounded too (no gzip bombs).
// The size is checked before anything is decoded.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > maxBodyBytes {
		return nil, tooLarge()
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "the body is not valid gzip")
		}
		defer zr.Close()
		body = io.LimitReader(zr, maxBodyBytes+1)
	default:
		return nil, apperr.New(apperr.UnsupportedMediaType, "unsupported Content-Encoding %q: send gzip or nothing", enc)
	}
	b, err := io.ReadAll(body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, tooLarge()
	case err != nil && (errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF)):
		return nil, apperr.New(apperr.Invalid, "the body is not valid gzip")
	case err != nil:
		return nil, fmt.Errorf("read body: %w", err)
	case len(b) > maxBodyBytes:
		return nil, tooLarge()
	}
	return b, nil
}

func tooLarge() error {
	return apperr.New(apperr.TooLarge, "the submission is larger than %d MB", maxBodyBytes>>20)
}

// submission is a decoded body: the JSON document and the files.
type submission struct {
	doc   []byte
	files []attachments.Upload
}

// decode reads a JSON body, or a multipart body whose part named part holds
// the JSON and whose other parts are files.
func decode(w http.ResponseWriter, r *http.Request, part string) (submission, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return submission{}, apperr.New(apperr.UnsupportedMediaType, "send application/json or multipart/form-data")
	}
	body, err := readBody(w, r)
	if err != nil {
		return submission{}, err
	}
	switch mt {
	case "application/json":
		return submission{doc: body}, nil
	case "multipart/form-data":
		return decodeMultipart(body, params["boundary"], part)
	default:
		return submission{}, apperr.New(apperr.UnsupportedMediaType, "unsupported Content-Type %q: send application/json or multipart/form-data", mt)
	}
}

func decodeMultipart(body []byte, boundary, part string) (submission, error) {
	if boundary == "" {
		return submission{}, apperr.New(apperr.Invalid, "multipart body without a boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var sub submission
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return submission{}, apperr.New(apperr.Invalid, "malformed multipart body")
		}
		data, err := io.ReadAll(io.LimitReader(p, attachments.MaxFileBytes+1))
		if err != nil {
			return submission{}, apperr.New(apperr.Invalid, "malformed multipart body")
		}
		switch {
		case p.FormName() == part && p.FileName() == "":
			if len(data) > maxJSONBytes {
				return submission{}, apperr.New(apperr.TooLarge, "the %q part is larger than %d MB", part, maxJSONBytes>>20)
			}
			sub.doc = data
		case p.FileName() != "":
			if len(data) > attachments.MaxFileBytes {
				return submission{}, apperr.New(apperr.TooLarge, "attachment %q is larger than %d MB", p.FileName(), attachments.MaxFileBytes>>20)
			}
			sub.files = append(sub.files, attachments.Upload{Filename: p.FileName(), ClaimedType: p.Header.Get("Content-Type"), Data: data})
		}
	}
	if sub.doc == nil {
		return submission{}, apperr.InvalidField(part, fmt.Sprintf("the multipart body needs a %q part holding the JSON", part))
	}
	return sub, nil
}

// unmarshal decodes a submission's JSON strictly, with errors naming the field.
func unmarshal(doc []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var (
			syntax *json.SyntaxError
			typ    *json.UnmarshalTypeError
		)
		switch {
		case errors.As(err, &syntax):
			return apperr.New(apperr.Invalid, "malformed JSON at byte %d", syntax.Offset)
		case errors.As(err, &typ) && typ.Field != "":
			return apperr.InvalidField(typ.Field, "must be a "+jsonType(typ.Type.Kind().String()))
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return apperr.New(apperr.Invalid, "the body is empty or cut short")
		default:
			return apperr.New(apperr.Invalid, "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "the body must hold a single JSON object")
	}
	return nil
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "array"
	default:
		return "object"
	}
}

// attachmentJSON is a file sent inside a JSON body.
type attachmentJSON struct {
	Data     string `json:"data"`
	Filename string `json:"filename"`
	MimeType string `json:"mimeType"`
}

func decodeAttachments(in []attachmentJSON) ([]attachments.Upload, error) {
	if len(in) > attachments.MaxFiles {
		return nil, apperr.InvalidField("attachments", fmt.Sprintf("at most %d files", attachments.MaxFiles))
	}
	out := make([]attachments.Upload, 0, len(in))
	for i, a := range in {
		data, err := base64.StdEncoding.DecodeString(a.Data)
		if err != nil {
			return nil, apperr.InvalidField(fmt.Sprintf("attachments[%d].data", i), "must be standard base64")
		}
		out = append(out, attachments.Upload{Filename: a.Filename, ClaimedType: a.MimeType, Data: data})
	}
	return out, nil
}
