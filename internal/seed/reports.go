package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/reportgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/reports"
)

// bug is one report group to be: a page and what broke on it.
type bug struct {
	project  int
	page     int
	errKind  int // index in consoleErrors, -1 for reports without console errors
	ident    string
	category enums.ReportCategory
	messages []int // indexes in reportMessages of the bug's category
	from, to int64

	fingerprint, groupURL, groupMessage string

	// Counters, from the plan.
	count       int
	first, last int64
	users       int
	groupID     string
}

// Whose report it is: a signed-in user of the app (user context, counted by
// id), someone who only left an email (counted by email), or nobody.
const (
	reporterUser = iota
	reporterEmail
	reporterAnonymous
)

type plannedReport struct {
	at       int64
	bug      int32
	user     int32
	reporter uint8
	v        uint32 // varies the record id in the URL and numbers in errors
}

type reportPlan struct {
	bugs []bug
	rows []plannedReport
	// users maps (bug, reporter kind, user) to when the user first met the
	// group, for the group's affected-user rows.
	users map[uint64]int64
}

func userPairKey(group int32, kind uint8, user int32) uint64 {
	return uint64(group)<<33 | uint64(kind)<<32 | uint64(uint32(user))
}

func (s *seeder) planReports() *reportPlan {
	plan := &reportPlan{users: map[uint64]int64{}}
	if s.o.Reports == 0 {
		return plan
	}
	projects := newPicker(len(s.projects), func(i int) float64 { return s.projects[i].weight })
	firstBug := make([]int, len(s.projects))
	pickers := make([]picker, len(s.projects))
	for i, p := range s.projects {
		firstBug[i] = len(plan.bugs)
		plan.bugs = append(plan.bugs, s.planBugs(i, p)...)
		pickers[i] = zipf(len(plan.bugs)-firstBug[i], 1.0)
	}
	plan.rows = make([]plannedReport, s.o.Reports)
	for i := range plan.rows {
		pi := projects.pick(s.rng)
		b := int32(firstBug[pi] + pickers[pi].pick(s.rng))
		bg := &plan.bugs[b]
		row := plannedReport{
			at:   timeIn(s.rng, bg.from, bg.to),
			bug:  b,
			user: userIndex(s.rng, s.projects[pi].users),
			v:    s.rng.Uint32(),
		}
		switch x := s.rng.Float64(); {
		case x < 0.12:
			row.reporter = reporterAnonymous
		case x < 0.24:
			row.reporter = reporterEmail
		}
		plan.rows[i] = row

		if bg.count == 0 || row.at < bg.first {
			bg.first = row.at
		}
		bg.last = max(bg.last, row.at)
		bg.count++
		if row.reporter != reporterAnonymous {
			k := userPairKey(b, row.reporter, row.user)
			if t, seen := plan.users[k]; !seen {
				plan.users[k] = row.at
				bg.users++
			} else if row.at < t {
				plan.users[k] = row.at
			}
		}
	}
	byTime(plan.rows, func(r *plannedReport) int64 { return r.at })
	return plan
}

// planBugs makes a project's bugs, each a distinct group as ingest would
// group its reports.
func (s *seeder) planBugs(pi int, p *seededProject) []bug {
	var out []bug
	seen := map[string]bool{}
	for attempt := 0; len(out) < bugsPerProject && attempt < bugsPerProject*10; attempt++ {
		b := bug{
			project: pi,
			page:    s.rng.IntN(len(p.prof.pages)),
			errKind: -1,
			ident:   pick(s.rng, identifiers),
		}
		if s.rng.Float64() < 0.7 {
			b.errKind = s.rng.IntN(len(consoleErrors))
		}
		url, firstError := bugInstance(p.prof, &b, 1)
		b.fingerprint = reports.GroupFingerprint(url, firstError)
		if seen[b.fingerprint] {
			continue
		}
		seen[b.fingerprint] = true
		b.groupURL = reports.NormalizeURL(url)
		b.groupMessage = reports.NormalizeMessage(firstError)
		b.category = enums.ReportCategory(reportMessages[s.rng.IntN(len(reportMessages))].category)
		if b.errKind >= 0 && s.rng.Float64() < 0.3 {
			b.category = enums.ReportCategoryCrash
		}
		for i, m := range reportMessages {
			if m.category == string(b.category) {
				b.messages = append(b.messages, i)
			}
		}
		b.from, b.to = s.window(s.rng, len(out))
		out = append(out, b)
	}
	return out
}

// bugInstance is the page URL and first console error of one report of
// the bug; v varies what grouping folds away (record ids, numbers, query).
func bugInstance(prof *profile, b *bug, v uint32) (pageURL, firstError string) {
	path := prof.pages[b.page].path
	if strings.Contains(path, "%d") {
		path = fmt.Sprintf(path, 1000+v%90_000)
	}
	pageURL = prof.origin + path
	switch v % 7 {
	case 1:
		pageURL += "?utm_source=newsletter&utm_medium=email"
	case 3:
		pageURL += "?tab=details"
	}
	if b.errKind >= 0 {
		firstError = fill(consoleErrors[b.errKind].msg, b.ident, v)
	}
	return pageURL, firstError
}

// fill writes an identifier and a number that varies with v into a
// message template.
func fill(template, ident string, v uint32) string {
	n := int(v%997) + 2
	return strings.NewReplacer("%s", ident, "%d", fmt.Sprint(n), "%x", fmt.Sprintf("%x", 0x1000+v%0xfffff)).Replace(template)
}

func (s *seeder) insertReports(ctx context.Context, plan *reportPlan) error {
	if len(plan.rows) == 0 {
		return nil
	}
	// Groups first, with their final counters: the reports point at them.
	var groups []int
	for i := range plan.bugs {
		if plan.bugs[i].count > 0 {
			groups = append(groups, i)
		}
	}
	err := s.parallel(ctx, streamReportGroups, -1, len(groups), s.batchRows(len(reportgroup.Columns), maxSmallRows),
		func(ctx context.Context, r *rand.Rand, lo, hi int) error {
			creates := make([]*ent.ReportGroupCreate, 0, hi-lo)
			for _, i := range groups[lo:hi] {
				b := &plan.bugs[i]
				b.groupID = newID("rgr", ms(b.first), r)
				creates = append(creates, s.client.ReportGroup.Create().
					SetID(b.groupID).
					SetProjectID(s.projects[b.project].id).
					SetFingerprint(b.fingerprint).
					SetPageURL(b.groupURL).
					SetErrorMessage(b.groupMessage).
					SetReportCount(b.count).
					SetAffectedUsers(b.users).
					SetFirstSeenAt(ms(b.first)).
					SetLastSeenAt(ms(b.last)).
					SetCreatedAt(ms(b.first)).
					SetUpdatedAt(ms(b.last)))
			}
			if err := s.client.ReportGroup.CreateBulk(creates...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert report groups: %w", err)
			}
			return nil
		})
	if err != nil {
		return err
	}

	// The affected-user rows let ingest keep counting distinct users from
	// where the seed left off.
	keys := make([]uint64, 0, len(plan.users))
	for k := range plan.users {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	err = s.parallel(ctx, streamReportGroups+100, -1, len(keys), s.batchRows(len(reportgroupuser.Columns), maxSmallRows),
		func(ctx context.Context, r *rand.Rand, lo, hi int) error {
			creates := make([]*ent.ReportGroupUserCreate, 0, hi-lo)
			for _, k := range keys[lo:hi] {
				b := &plan.bugs[k>>33]
				kind, u := uint8(k>>32&1), int32(uint32(k))
				at := ms(plan.users[k])
				creates = append(creates, s.client.ReportGroupUser.Create().
					SetID(newID("rgu", at, r)).
					SetProjectID(s.projects[b.project].id).
					SetGroupID(b.groupID).
					SetUserKey(reportUserKey(kind, u)).
					SetCreatedAt(at))
			}
			if err := s.client.ReportGroupUser.CreateBulk(creates...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert report group users: %w", err)
			}
			return nil
		})
	if err != nil {
		return err
	}

	return s.parallel(ctx, streamReports, kindReports, len(plan.rows), s.batchRows(len(report.Columns), maxRowsPerStatement),
		func(ctx context.Context, r *rand.Rand, lo, hi int) error {
			creates := make([]*ent.ReportCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				creates = append(creates, s.report(r, plan, &plan.rows[i]))
			}
			if err := s.client.Report.CreateBulk(creates...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert reports: %w", err)
			}
			return nil
		})
}

// reportUserKey is the key ingest counts a reporter by: the user context's
// id, else the email lower-cased.
func reportUserKey(kind uint8, u int32) string {
	if kind == reporterEmail {
		return strings.ToLower(userEmail(u))
	}
	return userID(u)
}

// The stored shapes of the captured documents, as the SDK sends them.
type (
	timelineEvent struct {
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		From      string `json:"from,omitempty"`
		To        string `json:"to,omitempty"`
		Trigger   string `json:"trigger,omitempty"`
		Selector  string `json:"selector,omitempty"`
		Text      string `json:"text,omitempty"`
		X         *int   `json:"x,omitempty"`
		Y         *int   `json:"y,omitempty"`
	}
	capturedError struct {
		Level     string `json:"level"`
		Message   string `json:"message"`
		Stack     string `json:"stack"`
		Source    string `json:"source"`
		Line      int    `json:"line"`
		Column    int    `json:"column"`
		Timestamp string `json:"timestamp"`
	}
	networkFailure struct {
		Method          string            `json:"method"`
		URL             string            `json:"url"`
		Status          int               `json:"status"`
		StatusText      string            `json:"statusText"`
		DurationMs      int               `json:"durationMs"`
		RequestHeaders  map[string]string `json:"requestHeaders"`
		ResponseHeaders map[string]string `json:"responseHeaders"`
		ResponseBody    string            `json:"responseBody,omitempty"`
		Timestamp       string            `json:"timestamp"`
	}
	screen struct {
		Width      int     `json:"width"`
		Height     int     `json:"height"`
		PixelRatio float64 `json:"pixelRatio,omitempty"`
	}
	browserInfo struct {
		UserAgent string `json:"userAgent"`
		Language  string `json:"language"`
		Platform  string `json:"platform"`
		Screen    screen `json:"screen"`
		Viewport  screen `json:"viewport"`
		Timezone  string `json:"timezone"`
		Online    bool   `json:"online"`
	}
	userContext struct {
		ID     string `json:"id"`
		Plan   string `json:"plan"`
		Locale string `json:"locale"`
	}
)

const isoMillis = "2006-01-02T15:04:05.000Z07:00"

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the shapes above always marshal
	}
	return b
}

func (s *seeder) report(r *rand.Rand, plan *reportPlan, row *plannedReport) *ent.ReportCreate {
	b := &plan.bugs[row.bug]
	p := s.projects[b.project]
	pg := &p.prof.pages[b.page]
	at := ms(row.at)
	pageURL, firstError := bugInstance(p.prof, b, row.v)
	button := pick(r, pg.buttons)
	tmpl := reportMessages[b.messages[r.IntN(len(b.messages))]].text
	message := strings.NewReplacer("%b", `"`+button+`"`, "%p", pg.title).Replace(tmpl)
	if r.Float64() < 0.3 {
		message += pick(r, []string{" It worked yesterday.", " Happens every time.", " Please help, this is urgent.",
			" Tried another browser, same thing.", " Screenshot attached in my email."})
	}

	ag := pickWeighted(r, agents)
	create := s.client.Report.Create().
		SetID(newID("rep", at, r)).
		SetProjectID(p.id).
		SetPublicKeyID(p.keyID).
		SetGroupID(b.groupID).
		SetMessage(message).
		SetCategory(b.category).
		SetSeverity(severityFor(r, b.category)).
		SetPageURL(pageURL).
		SetBrowser(ag.browser).
		SetOs(ag.os).
		SetConsentGiven(true).
		SetCreatedAt(at)

	status, changed := s.reportStatus(r, row.at, b.to)
	create.SetStatus(status).SetUpdatedAt(changed)
	if (status == enums.ReportStatusInProgress || status == enums.ReportStatusResolved) &&
		len(s.assignees) > 0 && r.Float64() < 0.75 {
		create.SetAssigneeID(pick(r, s.assignees))
	}
	if r.Float64() < 0.85 {
		create.SetAppVersion(p.releases[p.versionAt(row.at, r)].version)
	}
	switch row.reporter {
	case reporterUser:
		create.SetUserContext(mustJSON(userContext{ID: userID(row.user), Plan: pick(r, plans), Locale: pick(r, locales)}))
		if r.Float64() < 0.6 {
			create.SetReporterEmail(userEmail(row.user))
		}
	case reporterEmail:
		create.SetReporterEmail(userEmail(row.user))
	}
	if r.Float64() < 0.3 {
		create.SetCustomMetadata(mustJSON(map[string]any{
			"experiment": pick(r, experiments), "cartItems": r.IntN(8), "release": "web-" + fmt.Sprint(r.IntN(400)),
		}))
	}
	create.SetDeviceInfo(mustJSON(browserInfo{
		UserAgent: ag.ua, Language: pick(r, locales), Platform: ag.platform,
		Screen:   screen{ag.width, ag.height, ag.ratio},
		Viewport: screen{Width: ag.width, Height: ag.height - 100 - r.IntN(80)},
		Timezone: pick(r, timezones), Online: r.Float64() < 0.97,
	}))

	// The last minutes before the report: a navigation to the page, clicks,
	// then what failed.
	clock := at.Add(-time.Duration(60+r.IntN(240)) * time.Second)
	tick := func() string {
		clock = clock.Add(time.Duration(500+r.IntN(15_000)) * time.Millisecond)
		if clock.After(at) {
			clock = at
		}
		return clock.Format(isoMillis)
	}
	events := make([]timelineEvent, 0, 12)
	from := p.prof.origin + "/"
	events = append(events, timelineEvent{Type: "navigation", Timestamp: tick(), From: from, To: pageURL, Trigger: "pushState"})
	for range 2 + r.IntN(8) {
		if r.Float64() < 0.15 {
			other := p.prof.origin + strings.ReplaceAll(pick(r, p.prof.pages).path, "%d", fmt.Sprint(1000+r.IntN(90_000)))
			events = append(events, timelineEvent{Type: "navigation", Timestamp: tick(), From: pageURL, To: other, Trigger: "popstate"},
				timelineEvent{Type: "navigation", Timestamp: tick(), From: other, To: pageURL, Trigger: "pushState"})
			continue
		}
		x, y := r.IntN(ag.width), r.IntN(ag.height)
		label := pick(r, pg.buttons)
		events = append(events, timelineEvent{
			Type: "click", Timestamp: tick(), Text: label, X: &x, Y: &y,
			Selector: fmt.Sprintf("main > section.%s button[data-action=%q]", strings.ReplaceAll(pg.title, " ", "-"), strings.ToLower(strings.ReplaceAll(label, " ", "-"))),
		})
	}
	create.SetTimeline(mustJSON(events))

	if b.errKind >= 0 {
		errs := []capturedError{s.capturedError(r, p.prof, firstError, tick())}
		// Every string of these documents is full-text indexed, which is
		// most of what a report costs PostgreSQL to insert: one error is
		// the rule, a second one the exception.
		if r.Float64() < 0.25 {
			extra := fill(pick(r, consoleErrors).msg, pick(r, identifiers), r.Uint32())
			errs = append(errs, s.capturedError(r, p.prof, extra, tick()))
		}
		create.SetConsoleErrors(mustJSON(errs))
	}
	if r.Float64() < 0.35 {
		var failures []networkFailure
		for range 1 + r.IntN(2) {
			status := pickWeighted(r, networkStatuses)
			resource := strings.Trim(strings.ReplaceAll(pg.path, "%d", fmt.Sprint(1000+row.v%90_000)), "/")
			failures = append(failures, networkFailure{
				Method:     pick(r, []string{"GET", "GET", "POST", "PUT", "DELETE"}),
				URL:        fmt.Sprintf("%s/v1/%s?include=items&locale=%s", p.prof.api, resource, pick(r, locales)),
				Status:     status,
				StatusText: statusTexts[status],
				DurationMs: 40 + r.IntN(8_000),
				RequestHeaders: map[string]string{"accept": "application/json", "authorization": "[REDACTED]",
					"x-request-id": fmt.Sprintf("%016x", r.Uint64())},
				ResponseHeaders: map[string]string{"content-type": "application/json", "server": "nginx/1.27.2"},
				ResponseBody:    fmt.Sprintf(`{"error":%q,"code":%d}`, strings.ToLower(statusTexts[status]), status),
				Timestamp:       tick(),
			})
		}
		create.SetNetworkFailures(mustJSON(failures))
	}
	return create
}

func (s *seeder) capturedError(r *rand.Rand, prof *profile, message, at string) capturedError {
	module := pick(r, prof.modules)
	source := fmt.Sprintf("%s/assets/%s-%08x.js", prof.origin, module, r.Uint32())
	line, col := 1+r.IntN(900), 1+r.IntN(20_000)
	var stack strings.Builder
	stack.WriteString(message)
	fmt.Fprintf(&stack, "\n    at %s%s (%s:%d:%d)", strings.ToUpper(module[:1]), module[1:]+"View.render", source, line, col)
	for _, fn := range []string{"renderWithHooks", "beginWork"}[:r.IntN(3)] {
		fmt.Fprintf(&stack, "\n    at %s (%s/assets/vendor-react-%08x.js:1:%d)", fn, prof.origin, 0x8d31e0aa, 1000+r.IntN(90_000))
	}
	return capturedError{Level: "error", Message: message, Stack: stack.String(), Source: source, Line: line, Column: col, Timestamp: at}
}

func severityFor(r *rand.Rand, c enums.ReportCategory) enums.ReportSeverity {
	x := r.Float64()
	switch c {
	case enums.ReportCategoryCrash:
		if x < 0.45 {
			return enums.ReportSeverityCritical
		}
		return enums.ReportSeverityHigh
	case enums.ReportCategoryPerformance:
		if x < 0.6 {
			return enums.ReportSeverityMedium
		}
		return enums.ReportSeverityHigh
	case enums.ReportCategoryUI:
		if x < 0.55 {
			return enums.ReportSeverityLow
		}
		return enums.ReportSeverityMedium
	}
	return pick(r, []enums.ReportSeverity{enums.ReportSeverityLow, enums.ReportSeverityMedium, enums.ReportSeverityMedium, enums.ReportSeverityHigh})
}

// reportStatus is where a report stands: recent ones are new, older ones
// mostly dealt with, and those of a bug that stopped mostly resolved. It
// also returns when the status last changed.
func (s *seeder) reportStatus(r *rand.Rand, at, bugEnd int64) (enums.ReportStatus, time.Time) {
	age := s.now.UnixMilli() - at
	const day = 24 * 3_600_000
	var weights [4]float64 // new, in progress, resolved, closed
	switch {
	case bugEnd < s.now.UnixMilli()-3*day && age > 3*day:
		weights = [4]float64{8, 4, 60, 28}
	case age < 3*day:
		weights = [4]float64{80, 20, 0, 0}
	case age < 30*day:
		weights = [4]float64{35, 20, 30, 15}
	default:
		weights = [4]float64{15, 10, 50, 25}
	}
	statuses := []enums.ReportStatus{enums.ReportStatusNew, enums.ReportStatusInProgress, enums.ReportStatusResolved, enums.ReportStatusClosed}
	st := statuses[newPicker(4, func(i int) float64 { return weights[i] }).pick(r)]
	if st == enums.ReportStatusNew {
		return st, ms(at)
	}
	return st, ms(at + r.Int64N(min(age, 14*day)+1))
}
