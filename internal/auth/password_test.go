package auth

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashPasswordFormatAndVerify(t *testing.T) {
	t.Parallel()
	h1, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !phcPattern.MatchString(h1) {
		t.Fatalf("hash %q is not a PHC argon2id string with the expected parameters", h1)
	}
	if h1 == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if !VerifyPassword(h1, "correct horse") || !VerifyPassword(h2, "correct horse") {
		t.Fatal("the right password does not verify")
	}
	for _, wrong := range []string{"", "correct horse ", "Correct horse", "correct hors"} {
		if VerifyPassword(h1, wrong) {
			t.Errorf("wrong password %q verifies", wrong)
		}
	}
}

// Hashes made with other parameters (older defaults) keep verifying.
func TestVerifyPasswordReadsParametersFromTheHash(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("pw"), salt, 1, 64, 2, 24)
	enc := fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=2$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if !VerifyPassword(enc, "pw") {
		t.Fatal("hash with other parameters does not verify")
	}
	if VerifyPassword(enc, "pw2") {
		t.Fatal("wrong password verifies")
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	good, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, enc := range map[string]string{
		"empty":          "",
		"argon2i":        with(1, "argon2i"),
		"other version":  with(2, "v=16"),
		"missing param":  with(3, "m=19456,t=2"),
		"param order":    with(3, "t=2,m=19456,p=1"),
		"zero time":      with(3, "m=19456,t=0,p=1"),
		"huge memory":    with(3, "m=4294967295,t=2,p=1"),
		"huge time":      with(3, "m=19456,t=100000,p=1"),
		"bad salt":       with(4, "!!!"),
		"short key":      with(5, "AAAA"),
		"bad key":        with(5, "%%%"),
		"extra part":     good + "$x",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuu5YhZ8J1p6mVqQ4lXH6v8k6z7Q2yq0u",
		"not a hash":     "pw",
		"negative param": with(3, "m=-1,t=2,p=1"),
	} {
		if VerifyPassword(enc, "pw") {
			t.Errorf("%s: %q verifies", name, enc)
		}
	}
	if !VerifyPassword(good, "pw") {
		t.Fatal("control: the good hash does not verify")
	}
}
