package attachments

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

// Stored MIME types. Text types carry their charset because Sniff has
// checked the encoding and the download repeats it as Content-Type.
const (
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
	TypePDF  = "application/pdf"
	TypeText = "text/plain; charset=utf-8"
	TypeJSON = "application/json"
	TypeWebM = "video/webm"
	TypeMP4  = "video/mp4"
)

// Accepted lists what Sniff may return, for documentation and clients.
var Accepted = []string{TypePNG, TypeJPEG, TypeGIF, TypeWebP, TypePDF, TypeText, TypeJSON, TypeWebM, TypeMP4}

// executables are refused by magic before anything else, so the message
// says what the file really is whatever name it came under.
var executables = []struct {
	magic, what string
}{
	{"MZ", "a Windows executable"},
	{"\x7fELF", "an ELF executable"},
	{"\xfe\xed\xfa\xce", "a Mach-O executable"},
	{"\xfe\xed\xfa\xcf", "a Mach-O executable"},
	{"\xce\xfa\xed\xfe", "a Mach-O executable"},
	{"\xcf\xfa\xed\xfe", "a Mach-O executable"},
	// Also the magic of Java class files, which are executable too.
	{"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"},
	{"\xbe\xba\xfe\xca", "a Mach-O universal binary"},
	{"#!", "a script"},
}

// Sniff returns the MIME type of data, judged by its content alone, or an
// *apperr.Error when the type is not accepted: UnsupportedMediaType for
// anything outside the allow-list, Invalid for an empty file.
//
// The allow-list holds what bug reports need (screenshots, screen
// recordings, logs, documents) and nothing a browser would run: HTML and SVG
// are refused because served from our origin they could script the
// dashboard, and archives because they can hide executables.
func Sniff(data []byte) (string, error) {
	if len(data) == 0 {
		return "", apperr.New(apperr.Invalid, "the file is empty")
	}
	for _, e := range executables {
		if bytes.HasPrefix(data, []byte(e.magic)) {
			return "", unsupported("it is %s", e.what)
		}
	}
	detected, _, _ := strings.Cut(http.DetectContentType(data), ";")
	switch detected {
	case TypePNG, TypeJPEG, TypeGIF, TypeWebP, TypePDF, TypeWebM, TypeMP4:
		return detected, nil
	case "text/html", "text/xml":
		return "", unsupported("HTML, SVG and XML documents are not accepted")
	case "text/plain":
		return sniffText(data)
	}
	// DetectContentType only knows MP4 files whose brand starts with "mp4";
	// phones and browsers also write isom, avc1, iso2 and others.
	if isMP4(data) {
		return TypeMP4, nil
	}
	if detected == "application/octet-stream" {
		return "", unsupported("its type is not recognised")
	}
	return "", unsupported("%s is not accepted", detected)
}

// sniffText accepts UTF-8 text without binary control bytes anywhere (not
// just in the first 512 bytes DetectContentType looks at), then calls it
// JSON when it parses as JSON.
func sniffText(data []byte) (string, error) {
	if !utf8.Valid(data) {
		// DetectContentType also calls UTF-16 text/plain; only UTF-8 is
		// promised to readers of the stored type.
		return "", unsupported("text must be UTF-8")
	}
	for _, b := range data {
		if isBinaryByte(b) {
			return "", unsupported("it looks like binary data")
		}
	}
	if isMarkup(data) {
		return "", unsupported("HTML, SVG and XML documents are not accepted")
	}
	if json.Valid(data) {
		return TypeJSON, nil
	}
	return TypeText, nil
}

// isBinaryByte matches the control bytes text never holds, as in the WHATWG
// sniffing rules DetectContentType follows. ESC is allowed: logs keep ANSI
// colour codes.
func isBinaryByte(b byte) bool {
	return b <= 0x08 || b == 0x0b || (0x0e <= b && b <= 0x1a) || (0x1c <= b && b <= 0x1f)
}

// isMarkup catches markup DetectContentType lets through as text, such as
// "<svg …>" or "<!DOCTYPE svg …>". A document opening with a tag, doctype,
// comment or processing instruction is refused; a log line such as
// "<13>Jan 1 …" (a syslog priority) is not markup.
func isMarkup(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n\f")
	if len(data) < 2 || data[0] != '<' {
		return false
	}
	c := data[1]
	return c == '!' || c == '?' || c == '/' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// mp4Brands are the ISO base media major brands of video files. Image
// formats on the same container (AVIF, HEIC) and QuickTime ("qt  ") have
// other brands and stay refused.
var mp4Brands = map[string]bool{
	"isom": true, "iso2": true, "iso3": true, "iso4": true, "iso5": true, "iso6": true,
	"mp41": true, "mp42": true, "mp71": true, "avc1": true, "dash": true,
	"M4V ": true, "M4VH": true, "M4VP": true, "MSNV": true, "NDAS": true,
}

// isMP4 checks for a leading ftyp box with a video major brand.
func isMP4(data []byte) bool {
	if len(data) < 16 || string(data[4:8]) != "ftyp" {
		return false
	}
	size := binary.BigEndian.Uint32(data[:4])
	if size < 16 || size%4 != 0 || uint64(size) > uint64(len(data)) {
		return false
	}
	return mp4Brands[string(data[8:12])]
}

// unsupported is the reason Sniff gives; Save names the file around it.
func unsupported(format string, a ...any) *apperr.Error {
	return apperr.New(apperr.UnsupportedMediaType, format, a...)
}
