package config

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

const secretFileName = "jwt_secret"

// ResolveJWTSecret fills c.JWTSecret when JWT_SECRET was not set, from
// <DataDir>/jwt_secret, generating that file on first start so that sessions
// survive restarts without the operator having to invent a key.
//
// The secret is the file's text (hex, surrounding whitespace trimmed), used
// as-is like JWT_SECRET would be, so either source can replace the other.
func (c *Config) ResolveJWTSecret() error {
	if len(c.JWTSecret) > 0 {
		return nil
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("jwt secret: create data dir: %w", err)
	}
	path := filepath.Join(c.DataDir, secretFileName)
	secret, err := readSecret(path)
	if errors.Is(err, fs.ErrNotExist) {
		// Losing the race to another process is fine: read the winner's file.
		if err = createSecret(path); err == nil || errors.Is(err, fs.ErrExist) {
			secret, err = readSecret(path)
		}
	}
	if err != nil {
		return fmt.Errorf("jwt secret: %w", err)
	}
	c.JWTSecret = secret
	return nil
}

// createSecret writes the secret to a temporary file and hard-links it into
// place. Unlike rename, link never replaces an existing file, so concurrent
// starters cannot end up with different secrets, and readers never see a
// half-written file.
func createSecret(path string) error {
	raw := make([]byte, minSecretLen)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+secretFileName+"-*") // mode 0600
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(raw))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	return os.Link(tmp.Name(), path)
}

func readSecret(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	// Anyone who can read the key can forge sessions; anyone who can write it
	// can swap it. Windows has no such mode bits to check.
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %s, want no group or other access (chmod 600 %s)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b = bytes.TrimSpace(b)
	if len(b) < minSecretLen {
		return nil, fmt.Errorf("%s holds %d bytes, want at least %d (delete it to generate a new one)", path, len(b), minSecretLen)
	}
	return b, nil
}
