const esc = (s: string) => (typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : s.replace(/[^\w-]/g, '\\$&'));

/**
 * A CSS selector for el, short enough to read on a timeline: it stops at the
 * first id or test id, and otherwise names up to five levels by tag, two
 * classes and, where siblings share a tag, :nth-of-type.
 */
export function cssSelector(el: Element): string {
  const parts: string[] = [];
  for (let e: Element | null = el; e && e.nodeType === 1 && parts.length < 5; e = e.parentElement) {
    const tag = e.tagName.toLowerCase();
    if (e.id) {
      parts.unshift(`${tag}#${esc(e.id)}`);
      break;
    }
    const testId = e.getAttribute('data-testid');
    if (testId) {
      parts.unshift(`${tag}[data-testid="${testId.replace(/"/g, '\\"')}"]`);
      break;
    }
    if (tag === 'html' || tag === 'body') {
      parts.unshift(tag);
      break;
    }
    let part = tag;
    const classes = (e.getAttribute('class') ?? '').split(/\s+/).filter(Boolean).slice(0, 2);
    if (classes.length) part += `.${classes.map(esc).join('.')}`;
    // Walking siblings is cheaper than listing the parent's children.
    let index = 1;
    let shared = false;
    for (let p = e.previousElementSibling; p; p = p.previousElementSibling) if (p.tagName === e.tagName) index++;
    for (let n = e.nextElementSibling; n && !shared && index === 1; n = n.nextElementSibling) shared = n.tagName === e.tagName;
    if (index > 1 || shared) part += `:nth-of-type(${index})`;
    parts.unshift(part);
  }
  return parts.join(' > ');
}
