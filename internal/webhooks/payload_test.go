package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
)

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	at := time.Unix(1_700_000_000, 0)
	body := []byte(`{"event":"report.created"}`)
	sig := Sign("whsec_abc", at, body)
	// The documented scheme, computed here rather than with the code under
	// test: HMAC-SHA256 of "<t>.<body>", hex.
	h := hmac.New(sha256.New, []byte("whsec_abc"))
	h.Write([]byte("1700000000." + string(body)))
	if want := "t=1700000000,v1=" + hex.EncodeToString(h.Sum(nil)); sig != want || !strings.HasPrefix(sig, "t=1700000000,v1=") {
		t.Fatalf("Sign = %q, want %q", sig, want)
	}
	for name, tc := range map[string]struct {
		secret, header string
		body           []byte
		now            time.Time
		want           error
	}{
		"valid":             {"whsec_abc", sig, body, at.Add(time.Minute), nil},
		"other secret":      {"whsec_xyz", sig, body, at, ErrBadSignature},
		"tampered body":     {"whsec_abc", sig, []byte(`{"event":"report.deleted"}`), at, ErrBadSignature},
		"replayed later":    {"whsec_abc", sig, body, at.Add(time.Hour), ErrStale},
		"no v1":             {"whsec_abc", "t=1700000000", body, at, ErrBadSignature},
		"garbage":           {"whsec_abc", "nonsense", body, at, ErrBadSignature},
		"rotated, old kept": {"whsec_abc", "t=1700000000,v1=00," + strings.TrimPrefix(sig, "t=1700000000,"), body, at, nil},
	} {
		if err := Verify(tc.secret, tc.header, tc.body, tc.now, 5*time.Minute); !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", name, err, tc.want)
		}
	}
}

func sampleSubject() subject {
	email := "jane@example.com"
	return subject{
		project: &ent.Project{ID: "prj_1", Name: "Shop <&> Co", Slug: "shop"},
		report: &ent.Report{ID: "rep_1", Message: "Checkout <script> fails", Category: enums.ReportCategoryUI,
			Severity: enums.ReportSeverityCritical, Status: enums.ReportStatusNew, PageURL: "https://shop.test/cart",
			ReporterEmail: &email, CreatedAt: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)},
	}
}

func TestGenericBodyFollowsThePRD(t *testing.T) {
	t.Parallel()
	b, err := body(enums.WebhookFormatGeneric, newMessage(EventReportCreated, "https://oopsie.example.com/", sampleSubject()))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	report := got["report"].(map[string]any)
	if got["event"] != "report.created" || got["dashboard_url"] != "https://oopsie.example.com/reports/rep_1" ||
		got["project"].(map[string]any)["name"] != "Shop <&> Co" ||
		report["severity"] != "critical" || report["page_url"] != "https://shop.test/cart" ||
		report["reporter_email"] != "jane@example.com" || report["created_at"] != "2026-11-22T10:00:00Z" {
		t.Errorf("generic body = %s", b)
	}
	for _, absent := range []string{"feedback", "crash_group", "message"} {
		if _, ok := got[absent]; ok {
			t.Errorf("generic body has %q: %s", absent, b)
		}
	}
}

func TestSlackBodyEscapesMrkdwn(t *testing.T) {
	t.Parallel()
	b, err := body(enums.WebhookFormatSlack, newMessage(EventReportCreated, "https://oopsie.example.com", sampleSubject()))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Text   string
		Blocks []struct {
			Type     string
			Text     struct{ Type, Text string }
			Elements []struct{ Text string }
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Text == "" || len(got.Blocks) != 2 || got.Blocks[0].Text.Type != "mrkdwn" {
		t.Fatalf("slack body = %s", b)
	}
	section := got.Blocks[0].Text.Text
	if !strings.Contains(section, "Checkout &lt;script&gt; fails") || strings.Contains(section, "<script>") ||
		!strings.Contains(section, "Shop &lt;&amp;&gt; Co") || !strings.Contains(section, "*Reporter:* jane@example.com") {
		t.Errorf("slack section = %q", section)
	}
	if got.Text != "New bug report in Shop &lt;&amp;&gt; Co (critical, ui)" {
		t.Errorf("slack fallback text = %q", got.Text)
	}
	if len(got.Blocks[1].Elements) != 1 || got.Blocks[1].Elements[0].Text != "<https://oopsie.example.com/reports/rep_1|Open in Oopsie>" {
		t.Errorf("slack body lacks the dashboard link: %s", b)
	}
}

func TestDiscordBodyBoundsItsFields(t *testing.T) {
	t.Parallel()
	s := sampleSubject()
	s.report = nil
	s.group = &ent.CrashGroup{ID: "grp_1", ErrorType: "TypeError", ErrorMessage: strings.Repeat("é", 5000),
		OccurrenceCount: 12, AffectedUsers: 3, AffectedVersions: []string{"1.0.0", "1.1.0"}, Status: enums.CrashGroupStatusRegressed}
	b, err := body(enums.WebhookFormatDiscord, newMessage(EventCrashGroupRegressed, "https://o.example", s))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Embeds []struct {
			Title, Description, URL string
			Color                   int
			Fields                  []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal(b, &got); err != nil || len(got.Embeds) != 1 {
		t.Fatalf("discord body = %s (%v)", b, err)
	}
	e := got.Embeds[0]
	if e.Title != "Crash regressed in Shop <&> Co: TypeError" || e.URL != "https://o.example/crashes/grp_1" || e.Color != 0xdc2626 {
		t.Errorf("embed = %+v", e)
	}
	if n := len([]rune(e.Description)); n != 4000 || !strings.HasSuffix(e.Description, "…") {
		t.Errorf("description has %d runes, want 4000 ending in …", n)
	}
	if len(e.Fields) != 3 || e.Fields[0].Value != "12" || e.Fields[2].Value != "1.0.0, 1.1.0" {
		t.Errorf("fields = %+v", e.Fields)
	}
}
