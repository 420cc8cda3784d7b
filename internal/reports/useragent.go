package reports

import (
	"encoding/json"
	"strings"
)

// parseUserAgent names the browser and operating system of a user agent,
// for the dashboard's filters. It knows the browsers and systems the PRD's
// users meet and says "" for anything else rather than guess: a browser
// built on Chromium that names itself (Vivaldi, Yandex, an Android WebView)
// is not reported as Chrome. Versions are left in device info.
func parseUserAgent(ua string) (browser, os string) {
	return uaBrowser(ua), uaOS(ua)
}

func uaBrowser(ua string) string {
	has := func(tokens ...string) bool {
		for _, t := range tokens {
			if strings.Contains(ua, t) {
				return true
			}
		}
		return false
	}
	// Order matters: Edge, Opera and Samsung Internet carry "Chrome/" and
	// "Safari/" too, and Chrome carries "Safari/".
	switch {
	case has("SamsungBrowser/"):
		return "Samsung Internet"
	case has("OPR/", "OPT/", "OPiOS/", "Opera/", "Opera "):
		return "Opera"
	case has("Edg/", "Edge/", "EdgA/", "EdgiOS/"):
		return "Edge"
	case has("Vivaldi/", "YaBrowser/", "UCBrowser/", "MiuiBrowser/", "Whale/", "; wv)", "SeaMonkey/"):
		return ""
	case has("Firefox/", "FxiOS/"):
		return "Firefox"
	case has("CriOS/", "Chrome/", "Chromium/"):
		return "Chrome"
	case has("Safari/") && has("Version/") && !has("Android"):
		return "Safari"
	}
	return ""
}

func uaOS(ua string) string {
	switch {
	case strings.Contains(ua, "Windows Phone"):
		// Its user agents also claim Android and iPhone.
		return ""
	case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"), strings.Contains(ua, "iPod"):
		return "iOS"
	case strings.Contains(ua, "CrOS"):
		return "ChromeOS"
	case strings.Contains(ua, "Android"):
		return "Android"
	case strings.Contains(ua, "Windows"):
		return "Windows"
	case strings.Contains(ua, "Macintosh"), strings.Contains(ua, "Mac OS X"):
		return "macOS"
	case strings.Contains(ua, "Linux"):
		return "Linux"
	}
	return ""
}

// userAgentOf returns deviceInfo.userAgent, or "".
func userAgentOf(deviceInfo json.RawMessage) string {
	if len(deviceInfo) == 0 {
		return ""
	}
	var d map[string]json.RawMessage
	if json.Unmarshal(deviceInfo, &d) != nil {
		return ""
	}
	var ua string
	if json.Unmarshal(d["userAgent"], &ua) != nil {
		return ""
	}
	return ua
}
