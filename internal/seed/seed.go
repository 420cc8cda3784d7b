// Package seed fills a database with realistic projects, bug reports, crash
// reports and feedback, for demos and for the query benchmark.
//
// Data is planned in memory first: which project, group, time, user and
// version every row gets. That is cheap even for millions of rows, and it
// gives every group's counters (occurrences, distinct users, first and last
// seen, versions, platforms) exactly, so the groups are written once with
// their final values before the rows that point at them. The rows are then
// generated and inserted in batches, in time order (ids are ULIDs of the
// row's time, so the primary-key index grows at its end), in parallel on
// PostgreSQL.
//
// The result is deterministic for a seed and a Now, except for project
// slugs, which avoid those already taken.
package seed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"golang.org/x/sync/errgroup"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/ent/user"
	"github.com/yoanbernabeu/oopsie/internal/stats"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Options says how much to seed.
type Options struct {
	// Projects is how many projects to create (0 means 3); the rows are
	// shared among them unevenly, the first getting the most.
	Projects int
	// Reports, Crashes and Feedback are how many rows of each to insert.
	Reports, Crashes, Feedback int
	// Progress receives a progress bar when it is a terminal, else a line
	// every 10%; nil is silent.
	Progress io.Writer
	// Seed makes the data: the same seed (and Now) gives the same data.
	Seed int64
	// Now is the end of the 90 days the data is spread over; zero is the
	// current time.
	Now time.Time
}

// span is how far back seeded data goes: the default report retention.
const span = 90 * 24 * time.Hour

const (
	// groupsPerProject is how many crash groups each project's crashes are
	// spread over, most of them rare.
	groupsPerProject = 200
	// bugsPerProject is the same for report groups.
	bugsPerProject = 120
	// maxRowsPerStatement keeps a statement of documents-heavy rows to a
	// few megabytes; maxSmallRows is the same for narrow rows.
	maxRowsPerStatement = 500
	maxSmallRows        = 5000
)

// Run seeds the database as the system. Rows already there are left
// alone; new projects are created for the seeded rows. On error, what was
// inserted before stays: a seed is for throwaway databases.
func Run(ctx context.Context, client *ent.Client, o Options) error {
	if o.Projects < 0 || o.Reports < 0 || o.Crashes < 0 || o.Feedback < 0 {
		return errors.New("seed: counts must not be negative")
	}
	if o.Projects == 0 {
		o.Projects = 3
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	// ULIDs and both databases keep milliseconds at least; rounding here
	// makes what is planned equal to what is read back.
	now = now.UTC().Truncate(time.Millisecond)
	ctx = viewer.SystemContext(ctx, "seed")

	s := &seeder{
		client: client,
		o:      o,
		now:    now,
		start:  now.Add(-span),
		rng:    rand.New(rand.NewPCG(uint64(o.Seed), 0x5eed_0001)),
	}
	if err := s.detect(ctx); err != nil {
		return err
	}
	var err error
	// Existing users become assignees; none are created.
	if s.assignees, err = client.User.Query().Order(user.ByID()).IDs(ctx); err != nil {
		return fmt.Errorf("seed: list users: %w", err)
	}
	if err := s.createProjects(ctx); err != nil {
		return err
	}

	reports := s.planReports()
	crashes := s.planCrashes()
	feedback := s.planFeedback()

	s.progress = newProgress(o.Progress, [kinds]int{o.Reports, o.Crashes, o.Feedback})
	if err := s.insertReports(ctx, reports); err != nil {
		return err
	}
	if err := s.insertCrashes(ctx, crashes); err != nil {
		return err
	}
	if err := s.insertFeedback(ctx, feedback); err != nil {
		return err
	}
	// The crashes were written around ingest, which keeps the statistics'
	// rollups.
	if err := stats.Rebuild(ctx, client); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	s.progress.finish()
	return nil
}

type seeder struct {
	client     *ent.Client
	o          Options
	now, start time.Time
	// rng draws the plan, in a fixed order. Batches draw their details
	// from their own generators (batchRand), so the data does not depend
	// on which worker inserts which batch.
	rng *rand.Rand

	maxParams, workers int
	assignees          []string
	projects           []*seededProject
	progress           *progress
}

// detect sizes batches and parallelism for the database: SQLite has one
// writer and binds at most 32,766 parameters per statement, PostgreSQL
// 65,535.
func (s *seeder) detect(ctx context.Context) error {
	sqlite := false
	if rows, err := s.client.QueryContext(ctx, "SELECT sqlite_version()"); err == nil {
		rows.Close()
		sqlite = true
	}
	if sqlite {
		s.maxParams, s.workers = 32_766, 1
	} else {
		s.maxParams, s.workers = 65_535, min(4, max(2, runtime.GOMAXPROCS(0)))
	}
	return nil
}

// batchRows is how many rows of columns columns fit in one statement.
func (s *seeder) batchRows(columns, limit int) int {
	return max(1, min(limit, s.maxParams/columns))
}

// Streams of batch generators, one per kind of row.
const (
	streamReports = iota + 1
	streamCrashes
	streamFeedback
	streamReportGroups
	streamCrashGroups
)

func (s *seeder) batchRand(stream, batch int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(s.o.Seed), uint64(stream)<<40|uint64(batch)))
}

// parallel runs fn over [0, n) in batches of size, on the seeder's
// workers, and counts each finished batch into kind's progress (kind < 0
// counts nothing).
func (s *seeder) parallel(ctx context.Context, stream, kind, n, size int, fn func(ctx context.Context, r *rand.Rand, lo, hi int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(s.workers)
	for b := 0; b*size < n; b++ {
		lo, hi := b*size, min(n, (b+1)*size)
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(ctx, s.batchRand(stream, b), lo, hi); err != nil {
				return err
			}
			if kind >= 0 {
				s.progress.add(kind, hi-lo)
			}
			return nil
		})
	}
	return g.Wait()
}

// newID is a type-prefixed ULID of the row's time, as ingest would have
// made at that moment, with entropy from r.
func newID(prefix string, at time.Time, r *rand.Rand) string {
	var u ulid.ULID
	_ = u.SetTime(ulid.Timestamp(at)) // only fails past the year 10889
	binary.BigEndian.PutUint16(u[6:8], uint16(r.Uint32()))
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	return prefix + "_" + strings.ToLower(u.String())
}

// ---- projects -------------------------------------------------------------

type seededProject struct {
	id, keyID string
	prof      *profile
	releases  []release
	// users is the size of the app's user base the rows are spread over.
	users int

	platforms picker
	// weight is the project's share of the rows.
	weight float64
}

type release struct {
	version string
	at      int64 // Unix milliseconds
}

func (s *seeder) createProjects(ctx context.Context) error {
	var total float64
	for i := range s.o.Projects {
		prof := &profiles[i%len(profiles)]
		name, slug := prof.name, prof.slug
		if round := i / len(profiles); round > 0 {
			name = fmt.Sprintf("%s %d", prof.name, round+1)
			slug = fmt.Sprintf("%s-%d", prof.slug, round+1)
		}
		slug, err := s.freeSlug(ctx, slug)
		if err != nil {
			return err
		}
		p, err := s.client.Project.Create().
			SetID(newID("prj", s.start.Add(-30*24*time.Hour), s.rng)).
			SetName(name).
			SetSlug(slug).
			SetAllowedDomains([]string{prof.origin}).
			SetCreatedAt(s.start.Add(-30 * 24 * time.Hour)).
			SetUpdatedAt(s.start.Add(-30 * 24 * time.Hour)).
			Save(ctx)
		if err != nil {
			return fmt.Errorf("seed: create project %s: %w", slug, err)
		}
		key, err := s.client.PublicKey.Create().
			SetID(newID("key", p.CreatedAt, s.rng)).
			SetProjectID(p.ID).
			SetName("Default").
			SetKey(fmt.Sprintf("pk_%s_%016x", slug, s.rng.Uint64())).
			SetCreatedAt(p.CreatedAt).
			Save(ctx)
		if err != nil {
			return fmt.Errorf("seed: create public key of %s: %w", slug, err)
		}
		sp := &seededProject{id: p.ID, keyID: key.ID, prof: prof, weight: 1 / float64(i+1)}
		sp.releases = s.planReleases(i)
		sp.platforms = newPicker(len(prof.platforms), func(k int) float64 { return prof.platforms[k].w })
		total += sp.weight
		s.projects = append(s.projects, sp)
	}
	// The user base grows with the rows a project gets, so counts of
	// affected users stay plausible at any size.
	for _, p := range s.projects {
		share := p.weight / total
		rows := share * float64(s.o.Reports+s.o.Crashes+s.o.Feedback)
		p.users = int(min(250_000, max(40, rows/8)))
	}
	return nil
}

// freeSlug returns slug, or slug-2, slug-3… when it is taken, so seeding
// twice into one database works.
func (s *seeder) freeSlug(ctx context.Context, slug string) (string, error) {
	taken, err := s.client.Project.Query().
		Where(project.Or(project.Slug(slug), project.SlugHasPrefix(slug+"-"))).
		Select(project.FieldSlug).Strings(ctx)
	if err != nil {
		return "", fmt.Errorf("seed: list project slugs: %w", err)
	}
	candidate := slug
	for n := 2; slices.Contains(taken, candidate); n++ {
		candidate = fmt.Sprintf("%s-%d", slug, n)
	}
	return candidate, nil
}

// planReleases makes a release train: a release every 5 to 11 days from
// before the seeded period to now, mostly patches.
func (s *seeder) planReleases(i int) []release {
	major, minor, patch := 1+i%4, 2+(i*3)%9, 0
	at := s.start.Add(-21 * 24 * time.Hour)
	var out []release
	for at.Before(s.now) && len(out) < 60 {
		out = append(out, release{fmt.Sprintf("%d.%d.%d", major, minor, patch), at.UnixMilli()})
		if s.rng.Float64() < 0.35 {
			minor, patch = minor+1, 0
		} else {
			patch++
		}
		at = at.Add(time.Duration(5*24+s.rng.IntN(6*24)) * time.Hour)
	}
	return out
}

// versionAt is the index of the release a user runs at t: mostly the
// latest, sometimes one or two behind.
func (p *seededProject) versionAt(t int64, r *rand.Rand) int {
	i, found := slices.BinarySearchFunc(p.releases, t, func(rel release, t int64) int {
		switch {
		case rel.at < t:
			return -1
		case rel.at > t:
			return 1
		}
		return 0
	})
	if !found {
		i--
	}
	switch x := r.Float64(); {
	case x < 0.07:
		i -= 2
	case x < 0.25:
		i--
	}
	return max(0, i)
}

// ---- sampling ---------------------------------------------------------------

// picker draws indexes in proportion to weights.
type picker struct{ cum []float64 }

func newPicker(n int, weight func(int) float64) picker {
	cum := make([]float64, n)
	total := 0.0
	for i := range n {
		total += weight(i)
		cum[i] = total
	}
	return picker{cum}
}

// zipf is the long tail of groups: the first few get most of the rows.
func zipf(n int, exponent float64) picker {
	return newPicker(n, func(k int) float64 { return 1 / math.Pow(float64(k+1), exponent) })
}

func (p picker) pick(r *rand.Rand) int {
	x := r.Float64() * p.cum[len(p.cum)-1]
	i, _ := slices.BinarySearch(p.cum, x)
	return min(i, len(p.cum)-1)
}

func pickWeighted[T any](r *rand.Rand, items []weighted[T]) T {
	total := 0.0
	for _, it := range items {
		total += it.w
	}
	x := r.Float64() * total
	for _, it := range items {
		if x < it.w {
			return it.v
		}
		x -= it.w
	}
	return items[len(items)-1].v
}

func pick[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

// timeIn draws a time in [from, to] (Unix milliseconds), busier in the
// afternoon (UTC) than at night, so hourly charts have a daily rhythm.
func timeIn(r *rand.Rand, from, to int64) int64 {
	var t int64
	for range 6 {
		t = from + r.Int64N(to-from+1)
		hour := float64((t / 3_600_000) % 24)
		if r.Float64() < 0.3+0.7*math.Exp(-(hour-14)*(hour-14)/32) {
			break
		}
	}
	return t
}

// window is when a group is active: most start early in the period and
// go on until now; some are bursts that stopped (fixed, or gone away).
func (s *seeder) window(r *rand.Rand, rank int) (from, to int64) {
	start, end := s.start.UnixMilli(), s.now.UnixMilli()
	length := end - start
	if rank < 8 {
		from = start + int64(float64(length)*0.08*r.Float64())
		return from, end
	}
	from = start + int64(float64(length)*math.Pow(r.Float64(), 1.4))
	to = end
	if r.Float64() < 0.45 {
		to = min(end, from+int64(2+r.IntN(38))*24*3_600_000)
	}
	if to-from < 3_600_000 {
		from = max(start, to-3_600_000)
	}
	return from, to
}

// userIndex draws a user of the app: a few users are seen much more than
// others.
func userIndex(r *rand.Rand, users int) int32 {
	return int32(float64(users) * math.Pow(r.Float64(), 1.8))
}

func userID(u int32) string { return fmt.Sprintf("user-%05d", u) }

func userEmail(u int32) string {
	n := int(u)
	return fmt.Sprintf("%s.%s%d@%s", firstNames[n%len(firstNames)], lastNames[(n/len(firstNames))%len(lastNames)],
		n, emailDomains[n%len(emailDomains)])
}

func ms(t int64) time.Time { return time.UnixMilli(t).UTC() }

// byTime orders planned rows by time, keeping the plan's order for equal
// times so that the order is deterministic.
func byTime[T any](rows []T, at func(*T) int64) {
	slices.SortStableFunc(rows, func(a, b T) int {
		x, y := at(&a), at(&b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
}
