package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func TestDevSeedFillsTheConfiguredDatabase(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	vars := env(map[string]string{"OOPSIE_DATA_DIR": dataDir})
	var out bytes.Buffer
	args := []string{"dev", "seed", "--reports", "120", "--crashes", "80", "--feedback", "15", "--projects", "2", "--seed", "7"}
	if err := run(context.Background(), args, vars, &out); err != nil {
		t.Fatalf("dev seed: %v\n%s", err, out.String())
	}
	text := out.String()
	// It migrated the empty database first, showed progress, then summed up.
	for _, want := range []string{"applied ", "100%", "seeded 2 projects with 120 reports, 80 crash reports and 15 feedback"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}

	db, err := database.Open(context.Background(), config.Database{Dialect: config.DialectSQLite, SQLitePath: filepath.Join(dataDir, "oopsie.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := viewer.SystemContext(context.Background(), "test")
	c := db.Client
	for name, n := range map[string][2]int{
		"projects":      {c.Project.Query().CountX(ctx), 2},
		"reports":       {c.Report.Query().CountX(ctx), 120},
		"crash reports": {c.CrashReport.Query().CountX(ctx), 80},
		"feedback":      {c.Feedback.Query().CountX(ctx), 15},
	} {
		if n[0] != n[1] {
			t.Errorf("%d %s, want %d", n[0], name, n[1])
		}
	}

	// Again: the schema is up to date, and the rows add up.
	out.Reset()
	if err := run(context.Background(), args, vars, &out); err != nil {
		t.Fatalf("second dev seed: %v", err)
	}
	if strings.Contains(out.String(), "applied ") {
		t.Errorf("the second run migrated again:\n%s", out.String())
	}
	if n := c.Report.Query().CountX(ctx); n != 240 {
		t.Errorf("%d reports after two runs, want 240", n)
	}
}

func TestDevSeedUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"dev"}, {"dev", "unseed"}, {"dev", "seed", "--reports", "-1"}, {"dev", "seed", "--projects", "0"},
		{"dev", "seed", "--crashes", "many"}, {"dev", "seed", "extra"}, {"dev", "seed", "--bogus"},
	} {
		vars := env(map[string]string{"OOPSIE_DATA_DIR": t.TempDir()})
		if err := run(context.Background(), args, vars, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}
