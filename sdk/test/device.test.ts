import { describe, expect, it } from 'vitest';
import { detectPlatform, isTauri, osVersionFromUA } from '../src/device';

const MAC_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const WIN_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const LINUX_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)';

const win = (extra: object, userAgent: string, uaData?: object) =>
  ({ ...extra, navigator: { userAgent, ...(uaData ? { userAgentData: uaData } : {}) } }) as never;

describe('platform detection', () => {
  it('says "web" in a browser, with the OS version of the user agent', async () => {
    expect(isTauri(win({}, WIN_UA))).toBe(false);
    expect(await detectPlatform(win({}, WIN_UA))).toEqual({ platform: 'web', osVersion: '10.0' });
  });

  it("names Tauri v2 platforms as Tauri's updater does, from the os plugin", async () => {
    const mac = win({ __TAURI_INTERNALS__: {}, __TAURI_OS_PLUGIN_INTERNALS__: { platform: 'macos', arch: 'aarch64', version: '14.2.1' } }, MAC_UA);
    expect(await detectPlatform(mac)).toEqual({ platform: 'darwin-aarch64', osVersion: '14.2.1' });
    const windows = win({ isTauri: true, __TAURI_OS_PLUGIN_INTERNALS__: { platform: 'windows', arch: 'x86_64', version: '10.0.22631' } }, WIN_UA);
    expect(await detectPlatform(windows)).toEqual({ platform: 'windows-x86_64', osVersion: '10.0.22631' });
    const linux = win({ isTauri: true, __TAURI_OS_PLUGIN_INTERNALS__: { platform: 'linux', arch: 'x86', version: '6.5' } }, LINUX_UA);
    expect((await detectPlatform(linux)).platform).toBe('linux-i686');
  });

  it("asks Tauri v1's os API", async () => {
    const v1 = win({ __TAURI__: { os: { platform: async () => 'darwin', arch: async () => 'x86_64', version: async () => '13.6' } } }, MAC_UA);
    expect(await detectPlatform(v1)).toEqual({ platform: 'darwin-x86_64', osVersion: '13.6' });
  });

  it('falls back on client hints and the user agent without the os plugin', async () => {
    const appleSilicon = win({ isTauri: true }, MAC_UA, { getHighEntropyValues: async () => ({ architecture: 'arm', bitness: '64' }) });
    expect(await detectPlatform(appleSilicon)).toEqual({ platform: 'darwin-aarch64', osVersion: '10.15.7' });
    expect((await detectPlatform(win({ isTauri: true }, WIN_UA))).platform).toBe('windows-x86_64');
    expect((await detectPlatform(win({ isTauri: true }, LINUX_UA))).platform).toBe('linux-x86_64');
  });

  it('reads OS versions from user agents', () => {
    expect(osVersionFromUA(MAC_UA)).toBe('10.15.7');
    expect(osVersionFromUA('Mozilla/5.0 (Linux; Android 14; Pixel 8)')).toBe('14');
    expect(osVersionFromUA('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X)')).toBe('17.1.2');
  });
});
