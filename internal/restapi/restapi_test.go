package restapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
)

type envelope struct {
	Success bool
	Data    struct {
		AccessToken, RefreshToken string
		User                      struct{ Email string }
		Current                   string
	}
	Error struct{ Code, Message string }
}

func post(t *testing.T, s *apptest.Server, path, contentType, body string) (int, envelope) {
	t.Helper()
	resp, err := http.Post(s.URL+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e envelope
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("POST %s: %d %q is not the JSON envelope", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, e
}

func TestLoginAndRefreshOverREST(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := apptest.Start(t, d)
			s.Setup(t)

			status, in := post(t, s, "/api/v1/auth/login", "application/json",
				`{"email":"`+strings.ToUpper(apptest.AdminEmail)+`","password":"`+apptest.AdminPassword+`"}`)
			if status != http.StatusOK || !in.Success || in.Data.AccessToken == "" || in.Data.User.Email != apptest.AdminEmail {
				t.Fatalf("login = %d %+v", status, in)
			}
			// The access token works on /graphql.
			var me struct{ Viewer struct{ Email string } }
			s.MustGraphQL(t, in.Data.AccessToken, `{ viewer { email } }`, nil, &me)
			if me.Viewer.Email != apptest.AdminEmail {
				t.Errorf("viewer with the REST token = %+v", me.Viewer)
			}

			status, r := post(t, s, "/api/v1/auth/refresh", "application/json", `{"refreshToken":"`+in.Data.RefreshToken+`"}`)
			if status != http.StatusOK || r.Data.RefreshToken == "" || r.Data.RefreshToken == in.Data.RefreshToken {
				t.Fatalf("refresh = %d %+v", status, r)
			}
			status, reuse := post(t, s, "/api/v1/auth/refresh", "application/json", `{"refreshToken":"`+in.Data.RefreshToken+`"}`)
			if status != http.StatusUnauthorized || reuse.Error.Code != "UNAUTHENTICATED" {
				t.Errorf("refresh with a rotated token = %d %+v", status, reuse)
			}

			for _, tc := range []struct {
				name, contentType, body string
				status                  int
				code                    string
			}{
				{"wrong password", "application/json", `{"email":"admin@example.com","password":"nope nope"}`, 401, "UNAUTHENTICATED"},
				{"not JSON", "text/plain", `email=admin`, 415, "UNSUPPORTED_MEDIA_TYPE"},
				{"malformed", "application/json", `{"email":`, 400, "BAD_USER_INPUT"},
				{"unknown field", "application/json", `{"email":"a@b.c","password":"x","admin":true}`, 400, "BAD_USER_INPUT"},
				{"huge", "application/json", `{"email":"` + strings.Repeat("a", 20<<10) + `"}`, 413, "PAYLOAD_TOO_LARGE"},
			} {
				status, e := post(t, s, "/api/v1/auth/login", tc.contentType, tc.body)
				if status != tc.status || e.Success || e.Error.Code != tc.code {
					t.Errorf("%s: %d %+v, want %d %s", tc.name, status, e, tc.status, tc.code)
				}
			}
		})
	}
}

func TestVersionAndPlaygroundArePublic(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, dbtest.Dialects[0])
	status, body := s.Get(t, "/api/v1/version")
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil || status != 200 || e.Data.Current != "test" {
		t.Errorf("GET /api/v1/version = %d %s", status, body)
	}
	status, body = s.Get(t, "/graphql/playground")
	if status != 200 || !strings.Contains(string(body), "<html") {
		t.Errorf("GET /graphql/playground = %d", status)
	}
}

func TestIntrospectionCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, dbtest.Dialects[0], func(c *config.Config) { c.GraphQLIntrospection = false })
	resp := s.GraphQL(t, "", `{ __schema { queryType { name } } }`, nil)
	if len(resp.Errors) == 0 {
		t.Fatalf("introspection answered while off: %s", resp.Data)
	}
	// Ordinary queries still work.
	var st struct{ SetupStatus struct{ NeedsSetup bool } }
	s.MustGraphQL(t, "", `{ setupStatus { needsSetup } }`, nil, &st)
	if !st.SetupStatus.NeedsSetup {
		t.Error("setupStatus on a fresh instance")
	}
}
