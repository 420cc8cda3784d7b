package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Kinds of ingest request.
const (
	kindReport = iota
	kindCrash
)

// recurringGroups is how many fingerprints the recurring share of the load
// cycles through, per kind.
const recurringGroups = 20

// payload is one prepared request body.
type payload struct {
	kind int
	body []byte
}

// generator makes realistic report and crash bodies. It is deterministic for
// a seed, and every distinct fingerprint it makes is new for its lifetime.
type generator struct {
	rnd      *rand.Rand
	now      time.Time
	distinct int
}

func newGenerator(seed uint64) *generator {
	return &generator{rnd: rand.New(rand.NewPCG(seed, 0x0095_1e5b)), now: time.Now().UTC()}
}

// mix makes n bodies, alternately a report and a crash; 60% of each kind
// reuse one of the recurring fingerprints, 40% have a fingerprint of their own.
func (g *generator) mix(n int) []payload {
	out := make([]payload, n)
	for i := range out {
		recurring := (i/2)%5 < 3
		if i%2 == 0 {
			out[i] = payload{kindReport, g.report(recurring)}
		} else {
			out[i] = payload{kindCrash, g.crash(g.signature(recurring))}
		}
	}
	return out
}

// crashes makes n crash bodies, all with sig when it is not nil, else each
// with a fingerprint of its own.
func (g *generator) crashes(n int, sig *crashSignature) []payload {
	out := make([]payload, n)
	for i := range out {
		s := sig
		if s == nil {
			s = g.signature(false)
		}
		out[i] = payload{kindCrash, g.crash(s)}
	}
	return out
}

// token is a word for the next distinct fingerprint: letters only, so no
// normalisation of numbers or ids in URLs and messages can merge two of them.
func (g *generator) token() string {
	g.distinct++
	n := g.distinct
	var b []byte
	for n > 0 {
		n--
		b = append(b, byte('a'+n%26))
		n /= 26
	}
	return string(b)
}

// ---- reports -------------------------------------------------------------

type reportBody struct {
	Message         string           `json:"message"`
	Category        string           `json:"category"`
	Severity        string           `json:"severity"`
	Consent         bool             `json:"consent"`
	PageURL         string           `json:"pageUrl"`
	ReporterEmail   string           `json:"reporterEmail"`
	AppVersion      string           `json:"appVersion"`
	UserContext     map[string]any   `json:"userContext"`
	DeviceInfo      map[string]any   `json:"deviceInfo"`
	Timeline        []map[string]any `json:"timeline"`
	ConsoleErrors   []consoleError   `json:"consoleErrors"`
	NetworkFailures []networkFailure `json:"networkFailures"`
}

type consoleError struct {
	Level     string `json:"level"`
	Message   string `json:"message"`
	Stack     string `json:"stack"`
	Timestamp string `json:"timestamp"`
}

type networkFailure struct {
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	Status          int               `json:"status"`
	StatusText      string            `json:"statusText"`
	DurationMs      int               `json:"durationMs"`
	RequestHeaders  map[string]string `json:"requestHeaders"`
	ResponseHeaders map[string]string `json:"responseHeaders"`
	Timestamp       string            `json:"timestamp"`
}

var pages = []string{"checkout", "cart", "account/settings", "orders", "products/search",
	"wishlist", "account/addresses", "help/contact", "checkout/payment", "checkout/shipping"}

var uiErrors = []string{
	"TypeError: Cannot read properties of undefined (reading '%s')",
	"TypeError: %s is not a function",
	"ReferenceError: %s is not defined",
	"Error: Request failed with status code 500 while loading %s",
	"TypeError: Cannot destructure property '%s' of 'props.order' as it is undefined.",
}

var components = []string{"CartSummary", "CheckoutForm", "AddressPicker", "OrderList", "SearchResults",
	"PaymentStep", "WishlistGrid", "ContactForm", "ShippingOptions", "AccountMenu"}

var fields = []string{"total", "items", "lineItems", "address", "currency", "discount", "shippingMethod",
	"paymentIntent", "customerId", "variant"}

func (g *generator) report(recurring bool) []byte {
	var page, errMsg, component string
	if recurring {
		k := g.rnd.IntN(recurringGroups)
		page = "https://shop.example.com/" + pages[k%len(pages)]
		component = components[k%len(components)]
		errMsg = fmt.Sprintf(uiErrors[k%len(uiErrors)], fields[k%len(fields)]+strings.Repeat("Ref", k/len(fields)))
	} else {
		tok := g.token()
		page = "https://shop.example.com/collections/" + tok
		component = components[g.rnd.IntN(len(components))]
		errMsg = fmt.Sprintf(uiErrors[g.rnd.IntN(len(uiErrors))], "field"+strings.ToUpper(tok[:1])+tok[1:])
	}
	user := g.rnd.IntN(500)
	at := g.now.Add(-5 * time.Minute)
	stamp := func() string {
		at = at.Add(time.Duration(2000+g.rnd.IntN(12000)) * time.Millisecond)
		return at.Format("2006-01-02T15:04:05.000Z07:00")
	}

	timeline := make([]map[string]any, 0, 18)
	for i := range 18 {
		if i%5 == 0 {
			from := "https://shop.example.com/" + pages[g.rnd.IntN(len(pages))]
			timeline = append(timeline, map[string]any{
				"type": "navigation", "timestamp": stamp(), "from": from, "to": page,
				"trigger": "pushState",
			})
			continue
		}
		timeline = append(timeline, map[string]any{
			"type":      "click",
			"timestamp": stamp(),
			"selector":  fmt.Sprintf("section.%s button.btn:nth-of-type(%d)", strings.ToLower(component), 1+g.rnd.IntN(6)),
			"text":      []string{"Add to cart", "Continue", "Apply coupon", "Place order", "Save", "Back"}[g.rnd.IntN(6)],
			"x":         g.rnd.IntN(1440), "y": g.rnd.IntN(900),
		})
	}

	nErrors := 1 + g.rnd.IntN(3)
	consoleErrors := make([]consoleError, nErrors)
	for i := range consoleErrors {
		msg := errMsg
		if i > 0 {
			msg = fmt.Sprintf(uiErrors[g.rnd.IntN(len(uiErrors))], fields[g.rnd.IntN(len(fields))])
		}
		consoleErrors[i] = consoleError{Level: "error", Message: msg, Stack: jsStack(msg, component), Timestamp: stamp()}
	}

	nFailures := 1 + g.rnd.IntN(2)
	failures := make([]networkFailure, nFailures)
	for i := range failures {
		failures[i] = networkFailure{
			Method:     []string{"GET", "POST", "PUT"}[g.rnd.IntN(3)],
			URL:        fmt.Sprintf("https://api.shop.example.com/v2/%s?include=items,prices&locale=fr-FR", pages[g.rnd.IntN(len(pages))]),
			Status:     []int{500, 502, 503, 504, 404}[g.rnd.IntN(5)],
			StatusText: "Bad Gateway",
			DurationMs: 80 + g.rnd.IntN(3000),
			RequestHeaders: map[string]string{
				"accept": "application/json", "content-type": "application/json",
				"x-request-id": fmt.Sprintf("%016x", g.rnd.Uint64()), "x-client-version": "web-4.12.3",
			},
			ResponseHeaders: map[string]string{
				"content-type": "text/html; charset=utf-8", "server": "nginx/1.25.3",
				"x-upstream": "orders-api-7f9c", "cache-control": "no-store",
			},
			Timestamp: stamp(),
		}
	}

	body := reportBody{
		Message:       "The " + component + " froze after I clicked the button, nothing happened and the total stayed at zero. I tried twice and reloaded the page.",
		Category:      "ui",
		Severity:      "high",
		Consent:       true,
		PageURL:       page,
		ReporterEmail: fmt.Sprintf("customer%d@example.org", user),
		AppVersion:    "4.12.3",
		UserContext:   map[string]any{"id": fmt.Sprintf("usr-%d", user), "plan": "pro", "locale": "fr-FR"},
		DeviceInfo: map[string]any{
			"userAgent":  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			"language":   "fr-FR",
			"platform":   "MacIntel",
			"screen":     map[string]any{"width": 1440, "height": 900, "pixelRatio": 2},
			"viewport":   map[string]any{"width": 1440, "height": 789},
			"timezone":   "Europe/Paris",
			"online":     true,
			"memoryGb":   8,
			"cpuThreads": 8,
		},
		Timeline:        timeline,
		ConsoleErrors:   consoleErrors,
		NetworkFailures: failures,
	}
	return mustJSON(body)
}

func jsStack(msg, component string) string {
	var b strings.Builder
	b.WriteString(msg)
	for i, fn := range []string{component + ".render", "renderWithHooks", "beginWork", "performUnitOfWork"} {
		file := "https://shop.example.com/assets/index-4f9a2c1b.js"
		if i > 0 {
			file = "https://shop.example.com/assets/vendor-react-8d31e0aa.js"
		}
		fmt.Fprintf(&b, "\n    at %s (%s:%d:%d)", fn, file, 1+i*7, 1000+i*313)
	}
	return b.String()
}

// ---- crashes -------------------------------------------------------------

// crashSignature is what a crash fingerprint is computed from: the error
// type and the stack's frames.
type crashSignature struct {
	errorType string
	frames    []frame
}

type frame struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Function string `json:"function"`
	IsNative bool   `json:"isNative"`
}

type breadcrumb struct {
	Type      string         `json:"type"`
	Message   string         `json:"message"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

type crashBody struct {
	ErrorType    string         `json:"errorType"`
	ErrorMessage string         `json:"errorMessage"`
	StackTrace   []frame        `json:"stackTrace"`
	AppVersion   string         `json:"appVersion"`
	Platform     string         `json:"platform"`
	OSVersion    string         `json:"osVersion"`
	DeviceInfo   map[string]any `json:"deviceInfo"`
	AppState     map[string]any `json:"appState"`
	Breadcrumbs  []breadcrumb   `json:"breadcrumbs"`
	Severity     string         `json:"severity"`
	UserID       string         `json:"userId"`
}

var errorTypes = []string{"TypeError", "RangeError", "ReferenceError", "SyntaxError", "InvalidStateError"}

var modules = []string{"sync", "editor", "storage", "auth", "renderer", "settings", "export"}

// signature returns one of the recurring signatures, or a new distinct one.
func (g *generator) signature(recurring bool) *crashSignature {
	if recurring {
		return recurringSignatures[g.rnd.IntN(recurringGroups)]
	}
	return makeSignature(errorTypes[g.rnd.IntN(len(errorTypes))], g.rnd.IntN(len(modules)), "handle"+strings.ToUpper(g.token()))
}

var recurringSignatures = func() []*crashSignature {
	out := make([]*crashSignature, recurringGroups)
	for k := range out {
		out[k] = makeSignature(errorTypes[k%len(errorTypes)], k%len(modules), fmt.Sprintf("step%c", 'A'+k))
	}
	return out
}()

// makeSignature builds a 15-frame stack: the app's own frames on top (the
// first one named after top, so it changes the fingerprint), then framework
// and native frames, as a Tauri app's would be.
func makeSignature(errorType string, module int, top string) *crashSignature {
	mod := modules[module]
	src := "src/" + mod + "/"
	frames := []frame{
		{File: src + "worker.ts", Line: 88, Column: 17, Function: mod + "Worker." + top},
		{File: src + "queue.ts", Line: 142, Column: 9, Function: mod + "Queue.drain"},
		{File: src + "queue.ts", Line: 97, Column: 5, Function: mod + "Queue.flush"},
		{File: "src/core/scheduler.ts", Line: 54, Column: 12, Function: "Scheduler.run"},
		{File: "src/core/scheduler.ts", Line: 31, Column: 3, Function: "Scheduler.tick"},
		{File: "src/app.ts", Line: 210, Column: 7, Function: "App.onIdle"},
		{File: "src/app.ts", Line: 188, Column: 5, Function: "App.loop"},
		{File: "node_modules/zustand/esm/vanilla.mjs", Line: 9, Column: 38, Function: "setState"},
		{File: "node_modules/react-dom/cjs/react-dom.production.min.js", Line: 157, Column: 137, Function: "batchedUpdates"},
		{File: "node_modules/react-dom/cjs/react-dom.production.min.js", Line: 243, Column: 332, Function: "flushSync"},
		{File: "tauri://localhost/assets/ipc-3b1f.js", Line: 1, Column: 2210, Function: "invokeHandler"},
		{File: "tauri://localhost/assets/ipc-3b1f.js", Line: 1, Column: 1890, Function: "dispatch"},
		{File: "", Line: 0, Column: 0, Function: "tao::event_loop::run", IsNative: true},
		{File: "", Line: 0, Column: 0, Function: "wry::webview::evaluate_script", IsNative: true},
		{File: "", Line: 0, Column: 0, Function: "main", IsNative: true},
	}
	return &crashSignature{errorType: errorType, frames: frames}
}

func (g *generator) crash(sig *crashSignature) []byte {
	user := g.rnd.IntN(500)
	at := g.now.Add(-3 * time.Minute)
	crumbs := make([]breadcrumb, 15)
	for i := range crumbs {
		at = at.Add(time.Duration(1000+g.rnd.IntN(10000)) * time.Millisecond)
		ts := at.Format("2006-01-02T15:04:05.000Z07:00")
		switch i % 3 {
		case 0:
			crumbs[i] = breadcrumb{Type: "navigation", Message: "Opened " + modules[g.rnd.IntN(len(modules))] + " view", Timestamp: ts,
				Data: map[string]any{"from": "/documents", "to": "/documents/recent"}}
		case 1:
			crumbs[i] = breadcrumb{Type: "ui.click", Message: "Clicked toolbar button", Timestamp: ts,
				Data: map[string]any{"target": "button.toolbar-sync", "label": "Sync now"}}
		default:
			crumbs[i] = breadcrumb{Type: "http", Message: "POST https://api.notes.example.com/v1/sync", Timestamp: ts,
				Data: map[string]any{"status": 200 + 100*g.rnd.IntN(4), "durationMs": 30 + g.rnd.IntN(900),
					"requestId": fmt.Sprintf("%016x", g.rnd.Uint64()), "bytes": g.rnd.IntN(200000)}}
		}
	}
	body := crashBody{
		ErrorType:    sig.errorType,
		ErrorMessage: fmt.Sprintf("Cannot read properties of undefined (reading 'revision') while syncing document %d", g.rnd.IntN(100000)),
		StackTrace:   sig.frames,
		AppVersion:   []string{"2.3.0", "2.3.1", "2.4.0"}[g.rnd.IntN(3)],
		Platform:     []string{"macos", "windows", "linux"}[g.rnd.IntN(3)],
		OSVersion:    "14.5",
		DeviceInfo: map[string]any{
			"arch": "aarch64", "cpuCores": 8, "memoryMb": 16384, "locale": "en-GB",
			"webview": "WebKit 618.2.12", "tauri": "2.0.1", "screen": map[string]any{"width": 2560, "height": 1600, "scale": 2},
			"userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Tauri/2.0.1",
			"model":     "MacBookPro18,3", "gpu": "Apple M1 Pro", "diskFreeGb": 112,
		},
		AppState: map[string]any{
			"route": "/documents/recent", "openDocuments": g.rnd.IntN(12), "syncState": "pending",
			"online": true, "uptimeSeconds": g.rnd.IntN(86400), "featureFlags": []string{"new-editor", "offline-first", "ai-summary"},
			"documentId": fmt.Sprintf("doc_%012x", g.rnd.Uint64()>>16), "pendingChanges": g.rnd.IntN(40),
			"lastSyncAt": g.now.Add(-time.Duration(g.rnd.IntN(3600)) * time.Second).Format(time.RFC3339), "heapUsedMb": 80 + g.rnd.IntN(400),
		},
		Breadcrumbs: crumbs,
		Severity:    []string{"error", "error", "fatal", "warning"}[g.rnd.IntN(4)],
		UserID:      fmt.Sprintf("device-%04d", user),
	}
	return mustJSON(body)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// averageSize is the mean body size of ps of the given kind, in bytes.
func averageSize(ps []payload, kind int) int {
	total, n := 0, 0
	for _, p := range ps {
		if p.kind == kind {
			total += len(p.body)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return total / n
}
