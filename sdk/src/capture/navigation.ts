import type { Sanitizer } from '../sanitize';
import { iso, type Recorder, type Uninstall } from './types';

/**
 * Records the page load (with its referrer) and every change of URL after
 * it: pushState, replaceState, popstate and hashchange.
 */
export function captureNavigation(record: Recorder, s: Sanitizer): Uninstall {
  let last = location.href;
  record('timeline', {
    type: 'navigation', trigger: 'load', timestamp: iso(), to: s.url(last),
    ...(document.referrer ? { referrer: s.url(document.referrer) } : {}),
  });

  const changed = (trigger: string) => {
    const to = location.href;
    if (to === last) return;
    record('timeline', { type: 'navigation', trigger, timestamp: iso(), from: s.url(last), to: s.url(to) });
    last = to;
  };

  const { pushState, replaceState } = history;
  const push = function (this: History, ...args: Parameters<History['pushState']>) {
    const r = pushState.apply(this, args);
    changed('pushState');
    return r;
  };
  const replace = function (this: History, ...args: Parameters<History['replaceState']>) {
    const r = replaceState.apply(this, args);
    changed('replaceState');
    return r;
  };
  history.pushState = push;
  history.replaceState = replace;
  // A fragment navigation fires popstate then hashchange: name it by what changed.
  const onPop = () => changed(location.href.split('#')[0] === last.split('#')[0] ? 'hashchange' : 'popstate');
  const onHash = () => changed('hashchange');
  addEventListener('popstate', onPop);
  addEventListener('hashchange', onHash);
  return () => {
    // Unless a router patched them after us: its patches stay.
    if (history.pushState === push) history.pushState = pushState;
    if (history.replaceState === replace) history.replaceState = replaceState;
    removeEventListener('popstate', onPop);
    removeEventListener('hashchange', onHash);
  };
}
