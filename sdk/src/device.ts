interface NetworkInformation { effectiveType?: string; type?: string; downlink?: number; rtt?: number; saveData?: boolean }
interface TauriOsInternals { platform?: string; arch?: string; version?: string }
interface TauriV1 { os?: { platform(): Promise<string>; arch(): Promise<string>; version(): Promise<string> } }
interface UADataValues { architecture?: string; bitness?: string; platformVersion?: string }
type Win = typeof globalThis & {
  __TAURI__?: TauriV1;
  __TAURI_INTERNALS__?: unknown;
  __TAURI_OS_PLUGIN_INTERNALS__?: TauriOsInternals;
  isTauri?: boolean;
};
type Nav = Navigator & {
  connection?: NetworkInformation;
  deviceMemory?: number;
  userAgentData?: { platform?: string; getHighEntropyValues?(h: string[]): Promise<UADataValues> };
};

const nav = () => navigator as Nav;

/** What the PRD collects with a report: browser, screen, viewport, language, timezone, connection, online. */
export function deviceInfo(): Record<string, unknown> {
  const n = nav();
  const c = n.connection;
  let timezone: string | undefined;
  try { timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch { /* very old engines */ }
  return {
    userAgent: n.userAgent,
    language: n.language,
    languages: n.languages ? [...n.languages] : undefined,
    platform: n.platform,
    screen: { width: screen.width, height: screen.height, pixelRatio: devicePixelRatio },
    viewport: { width: innerWidth, height: innerHeight },
    timezone,
    online: n.onLine,
    ...(c ? { connection: { effectiveType: c.effectiveType, type: c.type, downlink: c.downlink, rtt: c.rtt, saveData: c.saveData } } : {}),
    ...(n.hardwareConcurrency ? { cores: n.hardwareConcurrency } : {}),
    ...(n.deviceMemory ? { memoryGb: n.deviceMemory } : {}),
  };
}

/** Whether the page runs in a Tauri webview (v1 with withGlobalTauri, or v2). */
export function isTauri(w: Win = globalThis as Win): boolean {
  return !!(w.isTauri || w.__TAURI_INTERNALS__ || w.__TAURI__);
}

// Tauri's names, as its updater's targets use them: darwin, windows, linux;
// x86_64, aarch64, i686, armv7.
const OS: Record<string, string> = { macos: 'darwin', darwin: 'darwin', windows: 'windows', windows_nt: 'windows', linux: 'linux', ios: 'ios', android: 'android' };
const ARCH: Record<string, string> = { x86_64: 'x86_64', x64: 'x86_64', amd64: 'x86_64', x86: 'i686', i686: 'i686', ia32: 'i686',
  aarch64: 'aarch64', arm64: 'aarch64', arm: 'armv7', armv7: 'armv7' };

function osFromUA(ua: string): string {
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Android/.test(ua)) return 'android';
  if (/Mac OS X|Macintosh/.test(ua)) return 'darwin';
  if (/Windows/.test(ua)) return 'windows';
  if (/Linux|X11|CrOS/.test(ua)) return 'linux';
  return 'unknown';
}

function archFromUA(ua: string): string | undefined {
  if (/aarch64|arm64/i.test(ua)) return 'aarch64';
  if (/x86_64|x64|Win64|WOW64|amd64/i.test(ua)) return 'x86_64';
  if (/i[3-6]86/.test(ua)) return 'i686';
  return undefined;
}

/** The OS version a user agent states: "10.15.7", "10.0", "14". */
export function osVersionFromUA(ua: string): string | undefined {
  const m = /Mac OS X (\d+[._]\d+(?:[._]\d+)?)/.exec(ua) ?? /Windows NT (\d+\.\d+)/.exec(ua) ??
    /Android (\d+(?:\.\d+)*)/.exec(ua) ?? /OS (\d+_\d+(?:_\d+)?) like Mac OS X/.exec(ua);
  return m?.[1]?.replace(/_/g, '.');
}

export interface Platform {
  /** "web", or for Tauri apps "{os}-{arch}" as Tauri's updater names them ("darwin-aarch64"). */
  platform: string;
  osVersion?: string;
}

/**
 * Detects where the app runs. In Tauri it asks the os plugin (v2's injected
 * values, or v1's API), falling back on the user agent; in a browser it is "web".
 */
export async function detectPlatform(w: Win = globalThis as Win): Promise<Platform> {
  const ua = w.navigator?.userAgent ?? '';
  if (!isTauri(w)) return { platform: 'web', osVersion: osVersionFromUA(ua) };
  let os: string | undefined;
  let arch: string | undefined;
  let version: string | undefined;
  const v2 = w.__TAURI_OS_PLUGIN_INTERNALS__;
  if (v2) ({ platform: os, arch, version } = v2);
  else if (w.__TAURI__?.os) {
    try {
      [os, arch, version] = await Promise.all([w.__TAURI__.os.platform(), w.__TAURI__.os.arch(), w.__TAURI__.os.version()]);
    } catch { /* the os API is not allowed in this app's allowlist */ }
  }
  if (!arch) {
    // Macs report "Intel" in the user agent even on Apple silicon; client hints know better.
    try {
      arch = (await (w.navigator as Nav).userAgentData?.getHighEntropyValues?.(['architecture', 'bitness']))?.architecture;
      if (arch === 'arm') arch = 'aarch64';
      else if (arch === 'x86') arch = archFromUA(ua) ?? 'x86_64';
    } catch { /* not offered */ }
  }
  os = OS[(os ?? '').toLowerCase()] ?? osFromUA(ua);
  arch = ARCH[(arch ?? '').toLowerCase()] ?? archFromUA(ua) ?? 'unknown';
  return { platform: `${os}-${arch}`, osVersion: version || osVersionFromUA(ua) };
}
