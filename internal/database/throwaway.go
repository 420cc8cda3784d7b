package database

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jackc/pgx/v5"
)

// OpenSQLiteDev opens an empty in-memory SQLite database for replaying
// migrations into. One connection, since each would see its own memory.
func OpenSQLiteDev() (*sql.DB, error) {
	db, err := sql.Open(SQLiteDriver, "file:dev?mode=memory&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("open SQLite dev database: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreatePostgresDatabase creates a database on the server that serverURL
// points at, optionally as a copy of template, and returns a URL for it and
// a function that drops it. Tests and the migration generator use it for
// throwaway databases.
func CreatePostgresDatabase(ctx context.Context, serverURL, prefix, template string) (string, func(context.Context) error, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := prefix + "_" + hex.EncodeToString(b)
	if !databaseName.MatchString(name) || (template != "" && !databaseName.MatchString(template)) {
		return "", nil, fmt.Errorf("create database: invalid name %q", name)
	}
	dbURL, err := WithDatabaseName(serverURL, name)
	if err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("create database: connect: %w", err)
	}
	defer admin.Close(ctx)
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if _, err := admin.Exec(ctx, stmt); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func(ctx context.Context) error {
		admin, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			return fmt.Errorf("drop database %s: connect: %w", name, err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return dbURL, drop, nil
}

// WithDatabaseName returns a PostgreSQL URL like serverURL but naming another
// database.
func WithDatabaseName(serverURL, name string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", errors.New("the PostgreSQL server URL does not parse")
	}
	u.Path = "/" + name
	return u.String(), nil
}
