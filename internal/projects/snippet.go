package projects

import (
	"encoding/json"
	"html"
	"strings"
)

// SnippetKind is how the integration snippet loads the SDK.
type SnippetKind string

const (
	SnippetNPM SnippetKind = "NPM"
	SnippetCDN SnippetKind = "CDN"
)

// NPMPackage is the SDK's package name, as sdk/package.json publishes it.
const NPMPackage = "@oopsie/sdk"

// CDNPath is where the server serves the SDK's CDN build (the global
// Oopsie). Oopsie is self-hosted, so the script comes from the instance
// itself rather than a third-party CDN. It cannot clash with the
// /sdk/{slug}/… ingest routes: slugs have no dots and those routes are deeper.
const CDNPath = "/sdk/oopsie.js"

// Snippet returns ready-to-paste code that installs the SDK for a project:
// the widget, headless mode and the customisation options, with the server
// URL and the public key filled in. It returns "" for an unknown kind.
func Snippet(kind SnippetKind, serverURL, publicKey string) string {
	serverURL = strings.TrimRight(serverURL, "/")
	// JSON string literals are valid JavaScript, and encoding/json escapes
	// <, > and & too, so no value can close a <script> element or a string.
	r := strings.NewReplacer(
		"{{serverUrl}}", jsString(serverURL),
		"{{apiKey}}", jsString(publicKey),
		"{{scriptSrc}}", html.EscapeString(serverURL+CDNPath),
		"{{package}}", NPMPackage,
	)
	switch kind {
	case SnippetNPM:
		return r.Replace(npmSnippet)
	case SnippetCDN:
		return r.Replace(cdnSnippet)
	default:
		return ""
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}

const npmSnippet = `# In a terminal:
npm install {{package}}

// In your app. Initialise Oopsie once, as early as possible (for example in main.js).
// Pick one of the three setups below.
import Oopsie from '{{package}}';

// 1. Widget: a floating "Report a bug" button.
Oopsie.init({
  serverUrl: {{serverUrl}},
  apiKey: {{apiKey}},
  widget: {
    enabled: true,
    position: 'bottom-right',
  },
});

// 2. Headless: no button; open the report form from your own UI.
Oopsie.init({
  serverUrl: {{serverUrl}},
  apiKey: {{apiKey}},
  widget: { enabled: false },
});
document.querySelector('#report-bug').addEventListener('click', () => Oopsie.open());
// Oopsie.close() closes the form.

// 3. Customised: every option below is optional.
Oopsie.init({
  serverUrl: {{serverUrl}},
  apiKey: {{apiKey}},
  widget: {
    enabled: true,
    position: 'bottom-left', // bottom-right, bottom-left, top-right or top-left
    color: '#6366f1',
    theme: 'dark', // light or dark
    text: 'Report a bug',
    icon: true,
  },
  // Who is reporting, attached to every report.
  user: { id: 'user_123', email: 'jane@example.com', name: 'Jane Doe' },
  metadata: { appVersion: '2.1.0', environment: 'production' },
  // Every text of the form can be translated.
  labels: {
    title: 'Report a bug',
    messagePlaceholder: 'Describe what happened...',
    submit: 'Send report',
    cancel: 'Cancel',
    consent: 'I agree to send my browsing data for bug analysis',
  },
  // Extra headers and body keys to redact from captured requests.
  sanitize: {
    headers: ['X-Custom-Token'],
    bodyKeys: ['creditCard'],
  },
});
`

// The SDK loads asynchronously, so each setup initialises it from the
// script's onload: an inline script after an async one could run first.
const cdnSnippet = `<!-- Paste before </body>. Pick one of the three setups below. -->

<!-- 1. Widget: a floating "Report a bug" button. -->
<script>
  function initOopsie() {
    Oopsie.init({
      serverUrl: {{serverUrl}},
      apiKey: {{apiKey}},
      widget: {
        enabled: true,
        position: 'bottom-right',
      },
    });
  }
</script>
<script src="{{scriptSrc}}" async onload="initOopsie()"></script>

<!-- 2. Headless: no button; open the report form from your own UI. -->
<button type="button" onclick="window.Oopsie && Oopsie.open()">Report a bug</button>
<script>
  function initOopsie() {
    Oopsie.init({
      serverUrl: {{serverUrl}},
      apiKey: {{apiKey}},
      widget: { enabled: false },
    });
    // Oopsie.close() closes the form.
  }
</script>
<script src="{{scriptSrc}}" async onload="initOopsie()"></script>

<!-- 3. Customised: every option below is optional. -->
<script>
  function initOopsie() {
    Oopsie.init({
      serverUrl: {{serverUrl}},
      apiKey: {{apiKey}},
      widget: {
        enabled: true,
        position: 'bottom-left', // bottom-right, bottom-left, top-right or top-left
        color: '#6366f1',
        theme: 'dark', // light or dark
        text: 'Report a bug',
        icon: true,
      },
      // Who is reporting, attached to every report.
      user: { id: 'user_123', email: 'jane@example.com', name: 'Jane Doe' },
      metadata: { appVersion: '2.1.0', environment: 'production' },
      // Every text of the form can be translated.
      labels: {
        title: 'Report a bug',
        messagePlaceholder: 'Describe what happened...',
        submit: 'Send report',
        cancel: 'Cancel',
        consent: 'I agree to send my browsing data for bug analysis',
      },
      // Extra headers and body keys to redact from captured requests.
      sanitize: {
        headers: ['X-Custom-Token'],
        bodyKeys: ['creditCard'],
      },
    });
  }
</script>
<script src="{{scriptSrc}}" async onload="initOopsie()"></script>
`
