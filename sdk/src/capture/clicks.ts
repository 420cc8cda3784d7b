import { cssSelector } from '../selector';
import { iso, type Recorder, type Uninstall } from './types';

// Only these elements' text is kept: it names the control clicked, whereas
// the text of any element could be the user's data.
const LABELLED = 'button,a,summary,label,[role=button],[role=link],[role=tab],[role=menuitem]';

/** Records clicks: the element's selector and page coordinates. Clicks inside `ignore` (the widget) are not recorded. */
export function captureClicks(record: Recorder, ignore: () => Node | null): Uninstall {
  const onClick = (ev: MouseEvent) => {
    const target = ev.target;
    if (!(target instanceof Element)) return;
    const own = ignore();
    if (own && (own === target || own.contains(target))) return;
    const labelled = target.closest(LABELLED);
    const text = labelled?.textContent?.replace(/\s+/g, ' ').trim().slice(0, 80);
    record('timeline', {
      type: 'click', timestamp: iso(), selector: cssSelector(target),
      ...(text ? { text } : {}),
      x: Math.round(ev.pageX), y: Math.round(ev.pageY),
    });
  };
  document.addEventListener('click', onClick, { capture: true, passive: true });
  return () => document.removeEventListener('click', onClick, { capture: true });
}
