package attachments

import (
	"mime"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeFilename(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 200) + ".png" // 404 bytes
	for _, tc := range []struct{ in, want string }{
		{"screenshot.png", "screenshot.png"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\me\Desktop\crash.log`, "crash.log"},
		{"/abs/path/", "attachment"},
		{"", "attachment"},
		{"..", "attachment"},
		{" . ", "attachment"},
		{".bashrc", "bashrc"},
		{"report.pdf. ", "report.pdf"},
		{"line\r\nbreak.txt", "linebreak.txt"},
		{"nul\x00byte.txt", "nulbyte.txt"},
		{"tab\there.txt", "tabhere.txt"},
		{"no\u00a0break.txt", "no break.txt"},
		// A right-to-left override would display this as "photo_exe.png".
		{"photo_\u202egnp.exe", "photo_gnp.exe"},
		{"zero\u200bwidth.txt", "zerowidth.txt"},
		{`a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"日本語のログ.txt", "日本語のログ.txt"},
	} {
		if got := sanitizeFilename(tc.in); got != tc.want {
			t.Errorf("sanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	got := sanitizeFilename(long)
	if len(got) > maxFilenameBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, ".png") {
		t.Errorf("long name cut to %d bytes %q, want ≤ %d valid UTF-8 bytes ending in .png", len(got), got, maxFilenameBytes)
	}
	got = sanitizeFilename(strings.Repeat("x", 300) + "." + strings.Repeat("y", 40))
	if len(got) != maxFilenameBytes {
		t.Errorf("name with an overlong extension cut to %d bytes, want %d", len(got), maxFilenameBytes)
	}
}

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"crash.log",
		`say "hi".txt`,
		"evil\r\nSet-Cookie: a=b.txt",
		"back\\slash;semi,comma.txt",
		"100% done 'quoted'.png",
		"résumé ☕ 日本.pdf",
		"bad\xffbyte.txt",
		"",
	} {
		h := contentDisposition(name)
		if strings.ContainsAny(h, "\r\n\x00") {
			t.Errorf("%q: header %q contains a line break or NUL", name, h)
		}
		for i := 0; i < len(h); i++ {
			if h[i] >= 0x7f || h[i] < 0x20 {
				t.Errorf("%q: header %q has non-ASCII byte %#x", name, h, h[i])
				break
			}
		}
		disp, params, err := mime.ParseMediaType(h)
		if err != nil {
			t.Errorf("%q: header %q does not parse: %v", name, h, err)
			continue
		}
		want := strings.ToValidUTF8(name, "_")
		if want == "" {
			want = defaultFilename
		}
		// ParseMediaType prefers filename* and decodes it: the exact name
		// must come back.
		if disp != "attachment" || params["filename"] != want {
			t.Errorf("%q: parsed as %q %q, want attachment %q", name, disp, params["filename"], want)
		}
		fallback := h[len(`attachment; filename="`):strings.Index(h, `"; filename*=`)]
		if strings.ContainsAny(fallback, `"\%`) {
			t.Errorf("%q: ASCII fallback %q holds a quote, backslash or percent", name, fallback)
		}
	}
}
