package seed

// The vocabulary seeded data is made of. Everything here is plausible
// rather than random, so demos read like a real instance and full-text
// search finds real words.

// profile is a kind of app a seeded project is.
type profile struct {
	name string
	slug string
	// origin serves the pages; api the requests that fail.
	origin, api string
	pages       []page
	// platforms crashes and feedback come from, with weights.
	platforms []weighted[string]
	// stack is the family of crash stacks: "js", "tauri" or "mobile".
	stack string
	// modules name the app's own code, for stack frames and breadcrumbs.
	modules []string
}

// page is a page of an app; path has one %d for a record id when the page
// shows one.
type page struct {
	path    string
	title   string
	buttons []string
}

type weighted[T any] struct {
	v T
	w float64
}

var profiles = []profile{
	{
		name: "Acme Shop", slug: "acme-shop", origin: "https://shop.acme.example", api: "https://api.acme.example",
		pages: []page{
			{"/", "home", []string{"Shop now", "Search", "Sign in"}},
			{"/products/%d", "product", []string{"Add to cart", "Choose size", "Add to wishlist"}},
			{"/cart", "cart", []string{"Checkout", "Apply coupon", "Remove"}},
			{"/checkout", "checkout", []string{"Continue", "Edit address", "Back to cart"}},
			{"/checkout/payment", "payment", []string{"Place order", "Pay with card", "Use PayPal"}},
			{"/checkout/shipping", "shipping", []string{"Continue", "Express delivery", "Pick-up point"}},
			{"/orders/%d", "order", []string{"Track parcel", "Return item", "Download invoice"}},
			{"/account/settings", "settings", []string{"Save", "Change password", "Delete account"}},
			{"/account/addresses", "addresses", []string{"Add address", "Save", "Set as default"}},
			{"/search", "search results", []string{"Filter", "Sort by price", "Load more"}},
			{"/wishlist", "wishlist", []string{"Move to cart", "Share", "Remove"}},
			{"/help/contact", "contact", []string{"Send", "Attach file", "Call me back"}},
		},
		platforms: []weighted[string]{{"web", 70}, {"ios", 16}, {"android", 14}},
		stack:     "js",
		modules:   []string{"cart", "checkout", "catalog", "search", "account", "payment", "orders", "wishlist"},
	},
	{
		name: "Notes Desktop", slug: "notes-desktop", origin: "tauri://localhost", api: "https://sync.notes.example",
		pages: []page{
			{"/documents", "documents", []string{"New document", "Import", "Sort"}},
			{"/documents/%d", "editor", []string{"Bold", "Insert table", "Share"}},
			{"/documents/%d/history", "history", []string{"Restore", "Compare", "Close"}},
			{"/folders/%d", "folder", []string{"Rename", "Move", "New folder"}},
			{"/settings/sync", "sync settings", []string{"Sync now", "Sign out", "Save"}},
			{"/settings/appearance", "appearance", []string{"Dark theme", "Font size", "Save"}},
			{"/search", "search", []string{"Search", "Filter by tag", "Clear"}},
			{"/trash", "trash", []string{"Empty trash", "Restore", "Delete forever"}},
		},
		platforms: []weighted[string]{{"macos-aarch64", 42}, {"windows-x86_64", 40}, {"linux-x86_64", 12}, {"macos-x86_64", 6}},
		stack:     "tauri",
		modules:   []string{"sync", "editor", "storage", "export", "renderer", "search", "settings", "crypto"},
	},
	{
		name: "Billing Portal", slug: "billing-portal", origin: "https://billing.example.com", api: "https://api.billing.example.com",
		pages: []page{
			{"/dashboard", "dashboard", []string{"Export CSV", "Change period", "Refresh"}},
			{"/invoices", "invoices", []string{"New invoice", "Filter", "Export"}},
			{"/invoices/%d", "invoice", []string{"Send", "Mark as paid", "Download PDF"}},
			{"/customers/%d", "customer", []string{"Edit", "Add note", "Charge"}},
			{"/subscriptions/%d", "subscription", []string{"Upgrade", "Cancel", "Pause"}},
			{"/reports/revenue", "revenue report", []string{"Group by month", "Export", "Compare"}},
			{"/settings/team", "team settings", []string{"Invite", "Remove member", "Save"}},
			{"/settings/integrations", "integrations", []string{"Connect Stripe", "Disconnect", "Test webhook"}},
		},
		platforms: []weighted[string]{{"web", 100}},
		stack:     "js",
		modules:   []string{"invoices", "customers", "subscriptions", "reports", "auth", "team", "webhooks"},
	},
	{
		name: "Fleet Mobile", slug: "fleet-mobile", origin: "https://app.fleet.example", api: "https://api.fleet.example",
		pages: []page{
			{"/routes", "routes", []string{"Start route", "Refresh", "Filter"}},
			{"/routes/%d", "route", []string{"Navigate", "Skip stop", "Call customer"}},
			{"/deliveries/%d", "delivery", []string{"Take photo", "Collect signature", "Mark delivered"}},
			{"/vehicles/%d", "vehicle", []string{"Report damage", "Log fuel", "Check-in"}},
			{"/profile", "profile", []string{"Save", "Log out", "Change language"}},
		},
		platforms: []weighted[string]{{"android", 62}, {"ios", 38}},
		stack:     "mobile",
		modules:   []string{"routing", "delivery", "camera", "signature", "offline", "gps", "auth"},
	},
}

// ---- people ----------------------------------------------------------------

var firstNames = []string{"ada", "grace", "alan", "linus", "margaret", "dennis", "barbara", "ken", "frances", "tim",
	"katherine", "john", "radia", "guido", "hedy", "donald", "sophie", "yukihiro", "anita", "edsger",
	"lea", "karim", "ines", "tomas", "mei", "olga", "samir", "chloe", "noah", "amara"}

var lastNames = []string{"lovelace", "hopper", "turing", "torvalds", "hamilton", "ritchie", "liskov", "thompson", "allen",
	"berners", "johnson", "backus", "perlman", "rossum", "lamarr", "knuth", "wilson", "matsumoto", "borg", "dijkstra",
	"martin", "benali", "garcia", "novak", "chen", "ivanova", "haddad", "dubois", "schmidt", "okafor"}

var emailDomains = []string{"example.com", "example.org", "mail.example.net", "corp.example"}

var plans = []string{"free", "free", "free", "pro", "pro", "team", "enterprise"}

var locales = []string{"en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "pt-BR", "ja-JP", "nl-NL", "it-IT", "pl-PL"}

var timezones = []string{"America/New_York", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/Sao_Paulo",
	"Asia/Tokyo", "America/Los_Angeles", "Australia/Sydney", "Asia/Kolkata"}

// ---- browsers ----------------------------------------------------------------

// agent is a user agent and what ingest derives from it (internal/reports'
// parser), so the browser and OS filters work on seeded reports.
type agent struct {
	ua, browser, os, platform string
	width, height             int
	ratio                     float64
}

var agents = []weighted[agent]{
	{agent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome", "Windows", "Win32", 1920, 1080, 1}, 30},
	{agent{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome", "macOS", "MacIntel", 1512, 982, 2}, 14},
	{agent{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari", "macOS", "MacIntel", 1440, 900, 2}, 9},
	{agent{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari", "iOS", "iPhone", 393, 852, 3}, 14},
	{agent{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36", "Chrome", "Android", "Linux armv8l", 412, 915, 2.625}, 12},
	{agent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox", "Windows", "Win32", 1920, 1080, 1}, 7},
	{agent{"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox", "Linux", "Linux x86_64", 2560, 1440, 1}, 3},
	{agent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70", "Edge", "Windows", "Win32", 1366, 768, 1}, 7},
	{agent{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet", "Android", "Linux armv8l", 384, 854, 2.8125}, 3},
	{agent{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome", "ChromeOS", "Linux x86_64", 1366, 768, 1}, 1},
}

// ---- reports -----------------------------------------------------------------

// consoleError is a first console error of a report bug. msg has one %s
// for the bug's identifier and may have one %d that varies between
// occurrences (folded away by grouping).
type consoleErrorKind struct {
	msg      string
	numbered bool
}

var consoleErrors = []consoleErrorKind{
	{"TypeError: Cannot read properties of undefined (reading '%s')", false},
	{"TypeError: Cannot read properties of null (reading '%s')", false},
	{"TypeError: %s is not a function", false},
	{"ReferenceError: %s is not defined", false},
	{"TypeError: Cannot destructure property '%s' of 'response.data' as it is undefined.", false},
	{"Unhandled promise rejection: Error: Request failed with status code 500 (%s)", false},
	{"ChunkLoadError: Loading chunk %d failed. (missing: %s)", true},
	{"RangeError: Invalid time value in %s", false},
	{"Error: Minified React error #%d; visit https://react.dev/errors for the full message (%s)", true},
	{"SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON (%s)", false},
	{"TypeError: Failed to fetch (%s)", false},
	{"Error: ResizeObserver loop completed with undelivered notifications in %s", false},
	{"QuotaExceededError: Failed to execute 'setItem' on 'Storage': Setting the value of '%s' exceeded the quota.", false},
}

var identifiers = []string{"total", "items", "lineItems", "address", "currency", "discount", "shippingMethod",
	"paymentIntent", "customerId", "variant", "price", "quantity", "user", "session", "token", "locale",
	"invoiceId", "dueDate", "revision", "cursor", "thumbnailUrl", "coords", "signature", "vehicleId"}

type reportTemplate struct {
	text     string
	category string
}

// reportMessages are what users write; %b is a button, %p the page.
var reportMessages = []reportTemplate{
	{"The %b button does nothing when I click it on the %p page.", "ui"},
	{"Clicking %b on the %p page shows an error and nothing happens.", "ui"},
	{"The layout of the %p page is broken: the sidebar overlaps the content.", "ui"},
	{"Text is cut off on the %p page on my phone, I cannot read the prices.", "ui"},
	{"The %p page is blank after I clicked %b. I had to reload.", "crash"},
	{"White screen on the %p page, the whole app stopped responding.", "crash"},
	{"Everything froze after %b, I lost what I typed on the %p page.", "crash"},
	{"The %p page takes more than 10 seconds to load.", "performance"},
	{"Scrolling on the %p page is very laggy, my laptop fan goes crazy.", "performance"},
	{"After %b the spinner keeps turning forever on the %p page.", "performance"},
	{"I was charged twice, the %p page said the payment failed.", "other"},
	{"My changes on the %p page were not saved, I pressed %b twice.", "other"},
	{"The %p page shows somebody else's name at the top.", "other"},
	{"I cannot find how to undo %b on the %p page.", "other"},
	{"Got logged out when I pressed %b on the %p page.", "other"},
	{"The %b button is greyed out on the %p page although the form is complete.", "ui"},
	{"Error message in red on the %p page: something went wrong. Please fix!", "crash"},
	{"Prices on the %p page are shown in the wrong currency.", "ui"},
}

var networkStatuses = []weighted[int]{{500, 30}, {502, 16}, {503, 12}, {504, 12}, {404, 12}, {401, 6}, {422, 8}, {429, 4}}

var statusTexts = map[int]string{500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
	504: "Gateway Timeout", 404: "Not Found", 401: "Unauthorized", 422: "Unprocessable Entity", 429: "Too Many Requests"}

var experiments = []string{"checkout-v2", "new-search", "one-click-buy", "dark-mode", "smart-sync", "ai-summary"}

// ---- crashes -----------------------------------------------------------------

type crashErrorKind struct {
	errorType string
	// msg has one %s (an identifier) and one %d that varies per crash.
	msg string
}

var jsCrashErrors = []crashErrorKind{
	{"TypeError", "Cannot read properties of undefined (reading '%s') at offset %d"},
	{"TypeError", "%s is not a function (call site %d)"},
	{"ReferenceError", "%s is not defined (line %d)"},
	{"RangeError", "Maximum call stack size exceeded in %s after %d frames"},
	{"RangeError", "Invalid array length for %s: %d"},
	{"SyntaxError", "Unexpected end of JSON input while parsing %s (byte %d)"},
	{"InvalidStateError", "Failed to execute 'transaction' on 'IDBDatabase' for %s: connection %d is closing"},
	{"NetworkError", "Request for %s failed after %d retries"},
	{"AbortError", "The operation on %s was aborted after %d ms"},
	{"ChunkLoadError", "Loading chunk %d for %s failed"},
	{"QuotaExceededError", "Storing %s exceeded the quota (%d bytes)"},
}

var tauriCrashErrors = []crashErrorKind{
	{"panic", "called `Option::unwrap()` on a `None` value while handling %s (thread %d)"},
	{"panic", "index out of bounds: the len is %d but the index is in %s"},
	{"std::io::Error", "Permission denied (os error 13) opening %s, fd %d"},
	{"rusqlite::Error", "database is locked while writing %s (attempt %d)"},
	{"serde_json::Error", "missing field `%s` at line 1 column %d"},
	{"TypeError", "Cannot read properties of undefined (reading '%s') at offset %d"},
	{"InvokeError", "command %s returned an error: code %d"},
}

var mobileCrashErrors = []crashErrorKind{
	{"java.lang.NullPointerException", "Attempt to invoke virtual method on a null object reference: %s (%d)"},
	{"java.lang.IllegalStateException", "Fragment %s not attached to a context (state %d)"},
	{"android.view.WindowManager$BadTokenException", "Unable to add window for %s -- token %d is not valid"},
	{"NSInvalidArgumentException", "-[__NSDictionaryM setObject:forKey:]: object cannot be nil (key: %s, %d)"},
	{"NSRangeException", "*** -[__NSArrayM objectAtIndex:]: index %d beyond bounds for %s"},
	{"EXC_BAD_ACCESS", "KERN_INVALID_ADDRESS in %s at 0x%x"},
	{"OutOfMemoryError", "Failed to allocate a %d byte allocation for %s"},
}

var functionVerbs = []string{"load", "save", "parse", "render", "handleClick", "flush", "fetchPage", "apply", "merge",
	"validate", "serialize", "hydrate", "resolve", "sync", "open", "close", "update", "compute", "decode", "upload"}

var functionNouns = []string{"Document", "Cart", "Session", "Queue", "Invoice", "Route", "Snapshot", "Index", "Cache",
	"Payload", "Settings", "Thumbnail", "Token", "Batch", "Revision", "Photo", "Signature", "Row", "Page", "Stream"}

var jsLibraryFrames = []frameSpec{
	{"node_modules/react-dom/cjs/react-dom.production.min.js", 157, 137, "batchedUpdates"},
	{"node_modules/react-dom/cjs/react-dom.production.min.js", 243, 332, "flushSync"},
	{"node_modules/react-dom/cjs/react-dom.production.min.js", 188, 12, "commitRoot"},
	{"node_modules/zustand/esm/vanilla.mjs", 9, 38, "setState"},
	{"node_modules/@tanstack/query-core/build/modern/query.js", 412, 20, "fetchFn"},
	{"node_modules/axios/lib/core/Axios.js", 45, 41, "request"},
}

var tauriIPCFrames = []frameSpec{
	{"tauri://localhost/assets/ipc-3b1f.js", 1, 2210, "invokeHandler"},
	{"tauri://localhost/assets/ipc-3b1f.js", 1, 1890, "dispatch"},
}

var nativeFrames = map[string][]string{
	"js":     {"v8::internal::Execution::Call", "blink::ScriptController::ExecuteScript"},
	"tauri":  {"tao::event_loop::run", "wry::webview::evaluate_script", "main"},
	"mobile": {"art_quick_invoke_stub", "libsystem_kernel.dylib`__pthread_kill", "main"},
}

type frameSpec struct {
	file         string
	line, column int
	function     string
}

var breadcrumbTypes = []string{"navigation", "ui.click", "http", "console", "state"}

var featureFlags = []string{"new-editor", "offline-first", "ai-summary", "fast-checkout", "beta-sync", "compact-ui"}

type osVersions struct {
	platform string
	versions []string
	model    []string
	arch     string
}

var platformDetails = map[string]osVersions{
	"web":            {"web", []string{"Windows 11", "macOS 15.1", "iOS 18.1", "Android 14", "Windows 10"}, []string{"Desktop", "iPhone", "Pixel 8"}, ""},
	"ios":            {"ios", []string{"17.6.1", "18.0", "18.1", "18.1.1"}, []string{"iPhone15,2", "iPhone16,1", "iPhone14,5", "iPad13,4"}, "arm64"},
	"android":        {"android", []string{"12", "13", "14", "15"}, []string{"Pixel 8", "SM-S918B", "SM-A546B", "moto g84", "CPH2581"}, "arm64-v8a"},
	"macos-aarch64":  {"macos", []string{"14.6.1", "15.0", "15.1", "15.1.1"}, []string{"MacBookPro18,3", "Mac14,2", "Mac15,6"}, "aarch64"},
	"macos-x86_64":   {"macos", []string{"13.6.9", "14.6.1"}, []string{"MacBookPro16,1", "iMac20,1"}, "x86_64"},
	"windows-x86_64": {"windows", []string{"10.0.19045", "10.0.22631", "10.0.26100"}, []string{"Dell XPS 13", "ThinkPad T14", "Surface Laptop 5"}, "x86_64"},
	"linux-x86_64":   {"linux", []string{"Ubuntu 24.04", "Ubuntu 22.04", "Fedora 41", "Arch Linux"}, []string{"Framework 13", "ThinkPad X1"}, "x86_64"},
}

// ---- feedback ------------------------------------------------------------------

var feedbackMessages = map[string][]string{
	"bug": {
		"The app crashes when I open a large document.",
		"Sync stopped working since the last update, my notes are not on my phone.",
		"I get logged out every morning.",
		"The export to PDF cuts the last page.",
		"Push notifications arrive twice.",
		"The search does not find words with accents.",
		"Dark mode makes the buttons unreadable in settings.",
		"Uploading a photo fails on mobile data.",
		"The app uses a lot of battery in the background.",
		"Dates are shown in the wrong time zone after travelling.",
	},
	"feature": {
		"Please add a dark mode.",
		"Could you support exporting to Markdown?",
		"I would love keyboard shortcuts for everything.",
		"Please let me share a folder with my team.",
		"Offline mode would be great for the train.",
		"Add an option to pay by bank transfer.",
		"Could the calendar start on Monday?",
		"Please add two-factor authentication.",
		"A widget for the home screen would be handy.",
		"Let me reorder items by drag and drop.",
	},
	"general": {
		"Love the new design, well done!",
		"The onboarding was confusing, I did not know where to start.",
		"Great app, but the pricing page is hard to understand.",
		"Support answered quickly, thank you.",
		"It feels slower than last month.",
		"Why did you remove the old toolbar? I liked it.",
		"Works perfectly on my tablet.",
		"The latest update is much better, thanks.",
	},
}

var feedbackNotes = []string{
	"Replied by email, waiting for details.",
	"Planned for the next minor release.",
	"Duplicate of an older request, merged.",
	"Could not reproduce on the latest version.",
	"Shared with the design team.",
	"Fixed in the latest release, told the user.",
}

var resolutionNotes = []string{
	"Guarded against a missing value before rendering.",
	"Retried the request with backoff instead of failing.",
	"Fixed a race between sync and the editor.",
	"Upgraded the library that caused it.",
	"Not our bug: a browser extension injects the failing script.",
	"Added a migration for old local data.",
}
