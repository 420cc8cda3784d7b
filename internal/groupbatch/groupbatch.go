// Package groupbatch holds what the report and crash ingest batches share:
// grouping a batch by (project, fingerprint), reading its groups back,
// locking the existing ones late and in one order, finding the users a
// group meets for the first time, and running the batch in a transaction
// of its own whose blobs go when it does not commit. The entities differ
// (ReportGroup, CrashGroup and their user tables); the services pass in
// what touches them.
package groupbatch

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Key names a group: its project and fingerprint.
type Key struct{ Project, Fingerprint string }

func (k Key) compare(o Key) int {
	return cmp.Or(cmp.Compare(k.Project, o.Project), cmp.Compare(k.Fingerprint, o.Fingerprint))
}

// Split groups the indexes of a batch of n items by key, and returns the
// keys sorted, so that concurrent batches insert new groups in one order.
func Split(n int, keyOf func(i int) Key) (members map[Key][]int, keys []Key) {
	members = map[Key][]int{}
	for i := range n {
		k := keyOf(i)
		members[k] = append(members[k], i)
	}
	keys = make([]Key, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, Key.compare)
	return members, keys
}

// Projects and Fingerprints are the columns to read keys' groups back by.
func Projects(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Project
	}
	return Uniq(out)
}

// Fingerprints: see Projects.
func Fingerprints(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Fingerprint
	}
	return out
}

// ByKey indexes the groups read back after their insert. Every key must be
// there: a missing one means a broken invariant, not bad input.
func ByKey[G any](keys []Key, rows []G, keyOf func(G) Key) (map[Key]G, error) {
	groups := make(map[Key]G, len(keys))
	for _, g := range rows {
		groups[keyOf(g)] = g
	}
	for _, k := range keys {
		if _, ok := groups[k]; !ok {
			return nil, fmt.Errorf("group %q of project %s missing after its insert", k.Fingerprint, k.Project)
		}
	}
	return groups, nil
}

// Relock reads the batch's existing groups again, locked (see Locked), and
// puts them in groups in place of the copies read unlocked. created tells
// the groups the batch inserted itself: no other writer can see them yet.
//
// Batches take these locks last, just before their counters are written,
// so that concurrent batches of the same groups overlap in everything else
// (inserting their items, above all) and wait on each other only for the
// counter writes and the commit.
func Relock[G any](keys []Key, groups map[Key]G, created func(Key) bool, idOf func(G) string,
	read func(ids []string) ([]G, error),
) error {
	var ids []string
	keyOf := map[string]Key{}
	for _, k := range keys {
		if created(k) {
			continue
		}
		id := idOf(groups[k])
		ids = append(ids, id)
		keyOf[id] = k
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := read(ids)
	if err != nil {
		return fmt.Errorf("lock groups: %w", err)
	}
	if len(rows) != len(ids) {
		return fmt.Errorf("lock groups: %d of %d deleted since they were read", len(ids)-len(rows), len(ids))
	}
	for _, g := range rows {
		groups[keyOf[idOf(g)]] = g
	}
	return nil
}

// Locked orders a query's rows by idColumn and, on PostgreSQL, locks them
// until commit. Ordered, concurrent batches lock their common groups in one
// order and cannot deadlock. FOR NO KEY UPDATE rather than FOR UPDATE: it
// lets other batches go on inserting items that reference the groups (their
// foreign-key checks take KEY SHARE locks, which FOR UPDATE would block).
// SQLite needs no lock: its transactions take the one write lock at BEGIN.
func Locked(idColumn string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		s.OrderBy(s.C(idColumn))
		if s.Dialect() == dialect.Postgres {
			s.For(sql.LockNoKeyUpdate)
		}
	}
}

// Pair is a group meeting a user.
type Pair struct{ Project, Group, User string }

// NewUsers returns the (group, user) pairs of the batch that are not yet
// recorded, and how many each group gained. ids are the groups' ids,
// inserted tells the groups this batch created (all their users are new),
// users the distinct users of a key's items, and known reads which of the
// given users the given existing groups have met already.
func NewUsers(keys []Key, ids map[Key]string, inserted func(Key) bool, users func(Key) []string,
	known func(groupIDs, users []string) ([]Pair, error),
) ([]Pair, map[string]int, error) {
	var (
		pairs        []Pair
		existingIDs  []string
		existingUIDs []string
	)
	for _, k := range keys {
		us := users(k)
		for _, u := range us {
			pairs = append(pairs, Pair{k.Project, ids[k], u})
		}
		if !inserted(k) && len(us) > 0 {
			existingIDs = append(existingIDs, ids[k])
			existingUIDs = append(existingUIDs, us...)
		}
	}
	if len(pairs) == 0 {
		return nil, nil, nil
	}
	seen := map[[2]string]bool{}
	if len(existingIDs) > 0 {
		rows, err := known(existingIDs, Uniq(existingUIDs))
		if err != nil {
			return nil, nil, fmt.Errorf("read affected users: %w", err)
		}
		for _, r := range rows {
			seen[[2]string{r.Group, r.User}] = true
		}
	}
	var fresh []Pair
	gained := map[string]int{}
	for _, p := range pairs {
		if !seen[[2]string{p.Group, p.User}] {
			fresh = append(fresh, p)
			gained[p.Group]++
		}
	}
	return fresh, gained, nil
}

// Write runs a batch's writes in a transaction of their own, as the system
// (the callers' viewers were checked; one batch mixes them). writeTx
// registers in cleanups what undoes the blobs it wrote; they run when the
// batch does not commit, or panics.
func Write(ctx context.Context, client *ent.Client, writeTx func(ctx context.Context, c *ent.Client, cleanups *[]func()) error) error {
	// Its own transaction: the batch holds other callers' items too.
	return dbtx.RunNewUndoing(viewer.SystemContext(ctx, "ingest"), client, writeTx)
}

// Uniq returns s sorted, without repeats.
func Uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// Latest is the later of a and b.
func Latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
