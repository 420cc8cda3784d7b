const FOCUSABLE = 'button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),a[href],[tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab inside container, and calls onEscape on Esc. */
export function trapFocus(container: HTMLElement, onEscape: () => void): (ev: KeyboardEvent) => void {
  return (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      onEscape();
      return;
    }
    if (ev.key !== 'Tab') return;
    const items = Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (!items.length) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = (container.getRootNode() as ShadowRoot).activeElement;
    if (ev.shiftKey && (active === first || !container.contains(active))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (active === last || !container.contains(active))) {
      ev.preventDefault();
      first.focus();
    }
  };
}
