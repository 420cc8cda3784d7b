package seed

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
)

// signature is one crash group to be: an error and the stack it happens in.
type signature struct {
	project     int
	kind        crashErrorKind
	ident       string
	frames      json.RawMessage
	fingerprint string
	severity    enums.CrashSeverity
	from, to    int64

	// Counters, from the plan.
	count       int
	first, last int64
	firstV      uint32
	versions    uint64 // bit i: the project's release i
	platforms   uint64 // bit i: the profile's platform i
	users       int
	groupID     string
}

type plannedCrash struct {
	at       int64
	group    int32
	user     int32 // -1: the app sent no user id
	version  uint8
	platform uint8
	v        uint32
}

type crashPlan struct {
	groups []signature
	rows   []plannedCrash
	// users maps (group, user) to when the user first crashed in it.
	users map[uint64]int64
}

func (s *seeder) planCrashes() *crashPlan {
	plan := &crashPlan{users: map[uint64]int64{}}
	if s.o.Crashes == 0 {
		return plan
	}
	projects := newPicker(len(s.projects), func(i int) float64 { return s.projects[i].weight })
	firstGroup := make([]int, len(s.projects))
	pickers := make([]picker, len(s.projects))
	for i, p := range s.projects {
		firstGroup[i] = len(plan.groups)
		plan.groups = append(plan.groups, s.planSignatures(i, p)...)
		pickers[i] = zipf(len(plan.groups)-firstGroup[i], 1.1)
	}
	plan.rows = make([]plannedCrash, s.o.Crashes)
	for i := range plan.rows {
		pi := projects.pick(s.rng)
		p := s.projects[pi]
		g := int32(firstGroup[pi] + pickers[pi].pick(s.rng))
		sig := &plan.groups[g]
		row := plannedCrash{at: timeIn(s.rng, sig.from, sig.to), group: g, user: -1, v: s.rng.Uint32()}
		row.version = uint8(p.versionAt(row.at, s.rng))
		row.platform = uint8(p.platforms.pick(s.rng))
		if s.rng.Float64() < 0.85 {
			row.user = userIndex(s.rng, p.users)
		}
		plan.rows[i] = row

		if sig.count == 0 || row.at < sig.first {
			sig.first, sig.firstV = row.at, row.v
		}
		sig.last = max(sig.last, row.at)
		sig.count++
		sig.versions |= 1 << row.version
		sig.platforms |= 1 << row.platform
		if row.user >= 0 {
			k := uint64(g)<<32 | uint64(uint32(row.user))
			if t, seen := plan.users[k]; !seen {
				plan.users[k] = row.at
				sig.users++
			} else if row.at < t {
				plan.users[k] = row.at
			}
		}
	}
	byTime(plan.rows, func(r *plannedCrash) int64 { return r.at })
	return plan
}

// planSignatures makes a project's crash groups: distinct fingerprints, as
// internal/crashes computes them from the error type and the stack.
func (s *seeder) planSignatures(pi int, p *seededProject) []signature {
	kinds := jsCrashErrors
	switch p.prof.stack {
	case "tauri":
		kinds = tauriCrashErrors
	case "mobile":
		kinds = mobileCrashErrors
	}
	var out []signature
	seen := map[string]bool{}
	for attempt := 0; len(out) < groupsPerProject && attempt < groupsPerProject*10; attempt++ {
		sig := signature{project: pi, kind: pick(s.rng, kinds), ident: pick(s.rng, identifiers)}
		frames := s.stack(p.prof, sig.kind.errorType)
		sig.fingerprint = crashes.Fingerprint(sig.kind.errorType, frames, nil)
		if seen[sig.fingerprint] {
			continue
		}
		seen[sig.fingerprint] = true
		stored := make([]storedFrame, len(frames))
		for i, f := range frames {
			stored[i] = storedFrame(f)
		}
		sig.frames = mustJSON(stored)
		switch x := s.rng.Float64(); {
		case sig.kind.errorType == "panic" || sig.kind.errorType == "EXC_BAD_ACCESS" || x < 0.12:
			sig.severity = enums.CrashSeverityFatal
		case x < 0.24:
			sig.severity = enums.CrashSeverityWarning
		default:
			sig.severity = enums.CrashSeverityError
		}
		sig.from, sig.to = s.window(s.rng, len(out))
		out = append(out, sig)
	}
	return out
}

// storedFrame is a frame as internal/crashes stores it: every key present.
type storedFrame struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Function string `json:"function"`
	IsNative bool   `json:"isNative"`
}

// stack makes a stack, innermost first: the app's frames, then its
// libraries' and the runtime's, which fingerprinting skips.
func (s *seeder) stack(prof *profile, errorType string) []crashes.Frame {
	module := pick(s.rng, prof.modules)
	// A Tauri app crashes in its Rust core or in its web view; a mobile app
	// on Android (Kotlin) or iOS (Swift).
	rust := prof.stack == "tauri" && errorType != "TypeError" && errorType != "InvokeError"
	kotlin := prof.stack == "mobile" && (strings.HasPrefix(errorType, "java") || strings.HasPrefix(errorType, "android") ||
		errorType == "OutOfMemoryError")
	var frames []crashes.Frame
	for range 2 + s.rng.IntN(5) {
		verb, noun := pick(s.rng, functionVerbs), pick(s.rng, functionNouns)
		f := crashes.Frame{Line: 5 + s.rng.IntN(700), Column: 3 + s.rng.IntN(80)}
		switch {
		case rust:
			f.File = "src/" + module + "/" + strings.ToLower(noun) + ".rs"
			f.Function = "notes::" + module + "::" + snake(verb) + "_" + strings.ToLower(noun)
		case kotlin:
			f.File = noun + "ViewModel.kt"
			f.Function = "com.fleet.app." + module + "." + noun + "ViewModel." + verb + noun
		case prof.stack == "mobile":
			f.File = noun + "ViewController.swift"
			f.Function = noun + "ViewController." + verb + noun + "()"
		default:
			f.File = "src/" + module + "/" + strings.ToLower(noun[:1]) + noun[1:] + "Store.ts"
			f.Function = strings.ToUpper(module[:1]) + module[1:] + "Store." + verb + noun
		}
		frames = append(frames, f)
	}
	switch prof.stack {
	case "js":
		for _, lib := range jsLibraryFrames[s.rng.IntN(3):][:1+s.rng.IntN(3)] {
			frames = append(frames, crashes.Frame{File: lib.file, Line: lib.line, Column: lib.column, Function: lib.function})
		}
	case "tauri":
		for _, f := range tauriIPCFrames {
			frames = append(frames, crashes.Frame{File: f.file, Line: f.line, Column: f.column, Function: f.function})
		}
	}
	for _, fn := range nativeFrames[prof.stack] {
		frames = append(frames, crashes.Frame{Function: fn, IsNative: true})
	}
	return frames
}

func snake(s string) string {
	var b strings.Builder
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *seeder) insertCrashes(ctx context.Context, plan *crashPlan) error {
	if len(plan.rows) == 0 {
		return nil
	}
	var groups []int
	for i := range plan.groups {
		if plan.groups[i].count > 0 {
			groups = append(groups, i)
		}
	}
	// Drawn here, in group order, so that triage states do not depend on
	// which worker inserts which batch.
	creates := make([]*ent.CrashGroupCreate, len(groups))
	for n, i := range groups {
		creates[n] = s.crashGroup(&plan.groups[i])
	}
	err := s.parallel(ctx, streamCrashGroups, -1, len(creates), s.batchRows(len(crashgroup.Columns), maxSmallRows),
		func(ctx context.Context, _ *rand.Rand, lo, hi int) error {
			if err := s.client.CrashGroup.CreateBulk(creates[lo:hi]...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert crash groups: %w", err)
			}
			return nil
		})
	if err != nil {
		return err
	}

	keys := make([]uint64, 0, len(plan.users))
	for k := range plan.users {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	err = s.parallel(ctx, streamCrashGroups+100, -1, len(keys), s.batchRows(len(crashgroupuser.Columns), maxSmallRows),
		func(ctx context.Context, r *rand.Rand, lo, hi int) error {
			creates := make([]*ent.CrashGroupUserCreate, 0, hi-lo)
			for _, k := range keys[lo:hi] {
				sig := &plan.groups[k>>32]
				at := ms(plan.users[k])
				creates = append(creates, s.client.CrashGroupUser.Create().
					SetID(newID("cgu", at, r)).
					SetProjectID(s.projects[sig.project].id).
					SetGroupID(sig.groupID).
					SetUserID(userID(int32(uint32(k)))).
					SetCreatedAt(at))
			}
			if err := s.client.CrashGroupUser.CreateBulk(creates...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert crash group users: %w", err)
			}
			return nil
		})
	if err != nil {
		return err
	}

	return s.parallel(ctx, streamCrashes, kindCrashes, len(plan.rows), s.batchRows(len(crashreport.Columns), maxRowsPerStatement),
		func(ctx context.Context, r *rand.Rand, lo, hi int) error {
			creates := make([]*ent.CrashReportCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				creates = append(creates, s.crash(r, plan, &plan.rows[i]))
			}
			if err := s.client.CrashReport.CreateBulk(creates...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert crash reports: %w", err)
			}
			return nil
		})
}

// crashGroup is the group's row with its final counters, and a triage
// state that fits its history: groups that stopped crashing are mostly
// resolved in the release after their last crash, active ones new or
// being investigated, a few regressed.
func (s *seeder) crashGroup(sig *signature) *ent.CrashGroupCreate {
	p := s.projects[sig.project]
	first, last := ms(sig.first), ms(sig.last)
	sig.groupID = newID("grp", first, s.rng)

	versions := bitIndexes(sig.versions)
	affectedVersions := make([]string, len(versions))
	for i, v := range versions {
		affectedVersions[i] = p.releases[v].version
	}
	slices.SortFunc(affectedVersions, compareVersions)
	var platforms []string
	for _, i := range bitIndexes(sig.platforms) {
		platforms = append(platforms, p.prof.platforms[i].v)
	}
	slices.Sort(platforms)

	c := s.client.CrashGroup.Create().
		SetID(sig.groupID).
		SetProjectID(p.id).
		SetFingerprint(sig.fingerprint).
		SetErrorType(sig.kind.errorType).
		SetErrorMessage(fill(sig.kind.msg, sig.ident, sig.firstV)).
		SetOccurrenceCount(sig.count).
		SetAffectedUsers(sig.users).
		SetFirstSeenAt(first).
		SetLastSeenAt(last).
		SetAffectedVersions(affectedVersions).
		SetAffectedPlatforms(platforms).
		SetCreatedAt(first)

	status := enums.CrashGroupStatusNew
	updated := last
	x := s.rng.Float64()
	stopped := sig.last < s.now.Add(-3*24*time.Hour).UnixMilli()
	switch {
	case stopped && x < 0.65:
		status = enums.CrashGroupStatusResolved
		resolvedAt := min(sig.last+int64(1+s.rng.IntN(72))*3_600_000, s.now.UnixMilli())
		updated = ms(resolvedAt)
		c.SetResolvedAt(updated).SetResolutionNotes(pick(s.rng, resolutionNotes))
		// The release after the last crash fixed it, if there is one yet.
		for _, rel := range p.releases {
			if rel.at > sig.last && compareVersions(rel.version, affectedVersions[len(affectedVersions)-1]) > 0 {
				c.SetResolvedInVersion(rel.version)
				break
			}
		}
	case stopped && x < 0.78, !stopped && x > 0.95:
		status = enums.CrashGroupStatusIgnored
	case !stopped && x < 0.06 && len(affectedVersions) >= 2:
		// Marked fixed in a version, then seen again in a newer one; ingest
		// clears resolvedAt when it reopens a group.
		status = enums.CrashGroupStatusRegressed
		c.SetResolvedInVersion(affectedVersions[len(affectedVersions)-2])
	case !stopped && x < 0.3:
		status = enums.CrashGroupStatusInvestigating
	}
	c.SetStatus(status).SetUpdatedAt(updated)
	if status != enums.CrashGroupStatusNew && status != enums.CrashGroupStatusIgnored && len(s.assignees) > 0 && s.rng.Float64() < 0.7 {
		c.SetAssigneeID(pick(s.rng, s.assignees))
	}
	return c
}

func bitIndexes(set uint64) []int {
	var out []int
	for set != 0 {
		i := bits.TrailingZeros64(set)
		out = append(out, i)
		set &^= 1 << i
	}
	return out
}

// compareVersions orders the seed's own versions (major.minor.patch, all
// numbers) as internal/crashes orders versions.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(pa), len(pb)) {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(pa), len(pb))
}

type (
	breadcrumb struct {
		Type      string         `json:"type"`
		Message   string         `json:"message"`
		Timestamp string         `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
	deviceInfo struct {
		Arch     string `json:"arch,omitempty"`
		CPUCores int    `json:"cpuCores"`
		MemoryMb int    `json:"memoryMb"`
		Locale   string `json:"locale"`
		Model    string `json:"model"`
		Screen   screen `json:"screen"`
	}
	appState struct {
		Route          string   `json:"route"`
		Online         bool     `json:"online"`
		UptimeSeconds  int      `json:"uptimeSeconds"`
		PendingChanges int      `json:"pendingChanges"`
		HeapUsedMb     int      `json:"heapUsedMb"`
		FeatureFlags   []string `json:"featureFlags"`
	}
)

func (s *seeder) crash(r *rand.Rand, plan *crashPlan, row *plannedCrash) *ent.CrashReportCreate {
	sig := &plan.groups[row.group]
	p := s.projects[sig.project]
	at := ms(row.at)
	platform := p.prof.platforms[row.platform].v
	details := platformDetails[platform]

	severity := sig.severity
	if r.Float64() < 0.1 {
		severity = pick(r, []enums.CrashSeverity{enums.CrashSeverityWarning, enums.CrashSeverityError, enums.CrashSeverityFatal})
	}
	create := s.client.CrashReport.Create().
		SetID(newID("crs", at, r)).
		SetProjectID(p.id).
		SetPublicKeyID(p.keyID).
		SetGroupID(sig.groupID).
		SetErrorType(sig.kind.errorType).
		SetErrorMessage(fill(sig.kind.msg, sig.ident, row.v)).
		SetStackTrace(sig.frames).
		SetAppVersion(p.releases[row.version].version).
		SetPlatform(platform).
		SetOsVersion(pick(r, details.versions)).
		SetFingerprint(sig.fingerprint).
		SetSeverity(severity).
		SetCreatedAt(at)
	if row.user >= 0 {
		create.SetUserID(userID(row.user))
	}
	create.SetDeviceInfo(mustJSON(deviceInfo{
		Arch: details.arch, CPUCores: pick(r, []int{4, 6, 8, 8, 10, 12}), MemoryMb: pick(r, []int{3072, 4096, 8192, 8192, 16384, 32768}),
		Locale: pick(r, locales), Model: pick(r, details.model),
		Screen: screen{pick(r, []int{390, 412, 1440, 1920, 2560}), pick(r, []int{844, 915, 900, 1080, 1600}), pick(r, []float64{1, 2, 3})},
	}))
	route := strings.ReplaceAll(pick(r, p.prof.pages).path, "%d", fmt.Sprint(1000+r.IntN(90_000)))
	flags := slices.Clone(featureFlags[:2+r.IntN(3)])
	create.SetAppState(mustJSON(appState{
		Route: route, Online: r.Float64() < 0.9, UptimeSeconds: r.IntN(86_400), PendingChanges: r.IntN(40),
		HeapUsedMb: 60 + r.IntN(600), FeatureFlags: flags,
	}))

	crumbs := make([]breadcrumb, 3+r.IntN(10))
	clock := at.Add(-time.Duration(30+r.IntN(300)) * time.Second)
	for i := range crumbs {
		clock = clock.Add(time.Duration(200+r.IntN(20_000)) * time.Millisecond)
		if clock.After(at) {
			clock = at
		}
		ts := clock.Format(isoMillis)
		module := pick(r, p.prof.modules)
		switch pick(r, breadcrumbTypes) {
		case "navigation":
			crumbs[i] = breadcrumb{"navigation", "Opened " + module, ts, map[string]any{"from": "/" + pick(r, p.prof.modules), "to": "/" + module}}
		case "ui.click":
			label := pick(r, pick(r, p.prof.pages).buttons)
			crumbs[i] = breadcrumb{"ui.click", "Clicked " + label, ts, map[string]any{"target": "button." + module + "-action", "label": label}}
		case "http":
			status := pick(r, []int{200, 200, 200, 201, 204, 304, 401, 500, 503})
			crumbs[i] = breadcrumb{"http", "POST " + p.prof.api + "/v1/" + module, ts,
				map[string]any{"status": status, "durationMs": 20 + r.IntN(2_000), "requestId": fmt.Sprintf("%016x", r.Uint64())}}
		case "console":
			crumbs[i] = breadcrumb{"console", "warn: " + module + " cache miss for " + pick(r, identifiers), ts, map[string]any{"level": "warning"}}
		default:
			crumbs[i] = breadcrumb{"state", module + " state changed", ts, map[string]any{"pending": r.IntN(20), "dirty": r.Float64() < 0.5}}
		}
	}
	create.SetBreadcrumbs(mustJSON(crumbs))
	return create
}
