import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultLabels } from '../src/labels';
import type { SendOutcome } from '../src/types';
import { Widget, type WidgetDeps } from '../src/widget/widget';

let widget: Widget;
const submit = vi.fn<WidgetDeps['submit']>();

function mount(over: Partial<WidgetDeps> = {}, options: Partial<WidgetDeps['options']> = {}) {
  widget = new Widget({
    options: { enabled: true, position: 'bottom-left', color: '#ff0000', theme: 'dark', text: 'Signaler un bug', icon: true, ...options },
    labels: defaultLabels,
    onOpen: () => {},
    submit,
    ...over,
  });
  return widget.host.shadowRoot!;
}

const key = (root: ShadowRoot, k: string, shiftKey = false) =>
  root.querySelector('[role=dialog]')!.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, cancelable: true }));

beforeEach(() => {
  submit.mockReset();
});
afterEach(() => {
  widget.destroy();
  document.body.innerHTML = '';
  document.head.innerHTML = '';
});

describe('widget', () => {
  it('renders the button as configured, in a shadow root', () => {
    document.head.insertAdjacentHTML('beforeend', '<style>.launcher{display:none}</style>');
    const root = mount();
    const launcher = root.querySelector('button.launcher')!;
    expect(launcher.textContent).toBe('Signaler un bug');
    expect(launcher.classList.contains('bottom-left')).toBe(true);
    expect(launcher.querySelector('svg')).not.toBeNull();
    expect(launcher.getAttribute('aria-haspopup')).toBe('dialog');
    expect(widget.host.getAttribute('data-theme')).toBe('dark');
    expect(widget.host.style.getPropertyValue('--accent')).toBe('#ff0000');
    // Nothing of the widget is in the page's DOM: the page's selectors and its CSS cannot reach it, nor its CSS the page.
    expect(document.querySelector('.launcher')).toBeNull();
    expect(document.querySelectorAll('style')).toHaveLength(1);
    expect(root.querySelector('style')!.textContent).toContain('.launcher{');
  });

  it('leaves the icon out when asked', () => {
    expect(mount({}, { icon: false }).querySelector('.launcher svg')).toBeNull();
  });

  it('uses every label override and the English default for the rest', () => {
    const labels = { ...defaultLabels, title: 'Signaler un problème', messagePlaceholder: 'Décrivez…', submit: 'Envoyer', cancel: 'Annuler', consent: "J'accepte" };
    const root = mount({ labels });
    widget.open();
    expect(root.querySelector('h2')!.textContent).toBe('Signaler un problème');
    expect(root.querySelector('textarea')!.placeholder).toBe('Décrivez…');
    expect(root.querySelector('button[type=submit]')!.textContent).toBe('Envoyer');
    expect(Array.from(root.querySelectorAll('.actions button')).map((b) => b.textContent)).toEqual(['Annuler', 'Envoyer']);
    expect(root.textContent).toContain("J'accepte");
    expect(root.textContent).toContain(defaultLabels.severityLabel);
  });

  it('is an accessible modal dialog whose every field is labelled', () => {
    const root = mount();
    root.querySelector<HTMLButtonElement>('.launcher')!.click();
    const dialog = root.querySelector('[role=dialog]')!;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(root.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe(defaultLabels.title);
    for (const field of root.querySelectorAll('textarea, select, input')) {
      const label = root.querySelector(`label[for="${field.id}"]`);
      expect(label?.textContent, `label of ${field.getAttribute('name')}`).toBeTruthy();
    }
    expect(root.querySelector('.launcher')!.getAttribute('aria-expanded')).toBe('true');
    expect(root.activeElement).toBe(root.querySelector('textarea'));
  });

  it('traps focus inside the dialog', () => {
    const root = mount();
    widget.open();
    const buttons = root.querySelectorAll<HTMLButtonElement>('.actions button');
    const last = buttons[buttons.length - 1]!;
    const first = root.querySelector('textarea')!;
    last.focus();
    key(root, 'Tab');
    expect(root.activeElement).toBe(first);
    key(root, 'Tab', true);
    expect(root.activeElement).toBe(last);
  });

  it('closes on Esc and gives focus back to what had it', () => {
    const root = mount();
    const launcher = root.querySelector<HTMLButtonElement>('.launcher')!;
    launcher.focus();
    launcher.click();
    key(root, 'Escape');
    expect(root.querySelector('[role=dialog]')).toBeNull();
    expect(widget.isOpen).toBe(false);
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(root.activeElement).toBe(launcher);

    const outside = document.body.appendChild(document.createElement('button'));
    outside.focus();
    widget.open();
    root.querySelector<HTMLButtonElement>('.actions button')!.click(); // Cancel
    expect(document.activeElement).toBe(outside);
  });

  it('requires a message and consent, and says so accessibly', () => {
    const root = mount();
    widget.open();
    root.querySelector('form')!.requestSubmit();
    const message = root.querySelector('textarea')!;
    const consent = root.querySelector<HTMLInputElement>('input[type=checkbox]')!;
    expect(submit).not.toHaveBeenCalled();
    expect(message.getAttribute('aria-invalid')).toBe('true');
    expect(consent.getAttribute('aria-invalid')).toBe('true');
    expect(root.getElementById(message.getAttribute('aria-describedby')!)!.textContent).toBe(defaultLabels.messageRequired);
    expect(consent.getAttribute('aria-describedby')!.split(' ').map((id) => root.getElementById(id)!.textContent)).toContain(defaultLabels.consentRequired);
    expect(root.activeElement).toBe(message);

    message.value = 'It broke';
    root.querySelector('form')!.requestSubmit();
    expect(submit).not.toHaveBeenCalled();
    expect(message.hasAttribute('aria-invalid')).toBe(false);
    expect(root.activeElement).toBe(consent);
  });

  it('checks the email address before sending', () => {
    const root = mount();
    widget.open();
    root.querySelector('textarea')!.value = 'x';
    root.querySelector<HTMLInputElement>('input[type=checkbox]')!.checked = true;
    const email = root.querySelector<HTMLInputElement>('input[type=email]')!;
    email.value = 'not an address';
    root.querySelector('form')!.requestSubmit();
    expect(submit).not.toHaveBeenCalled();
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(root.getElementById(email.getAttribute('aria-describedby')!)!.textContent).toBe(defaultLabels.emailInvalid);
    expect(root.activeElement).toBe(email);
  });

  it('refuses a file over 10 MB in the browser', () => {
    const root = mount();
    widget.open();
    const files = root.querySelector<HTMLInputElement>('input[type=file]')!;
    Object.defineProperty(files, 'files', { value: [new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'screen.png', { type: 'image/png' })] });
    root.querySelector('textarea')!.value = 'x';
    root.querySelector<HTMLInputElement>('input[type=checkbox]')!.checked = true;
    root.querySelector('form')!.requestSubmit();
    expect(submit).not.toHaveBeenCalled();
    expect(root.textContent).toContain('screen.png is larger than 10 MB.');
    expect(files.getAttribute('aria-invalid')).toBe('true');
  });

  it('submits the form and announces the outcome', async () => {
    let resolve!: (o: SendOutcome) => void;
    submit.mockImplementation(() => new Promise((r) => { resolve = r; }));
    const root = mount({ email: 'jane@example.com' });
    widget.open();
    root.querySelector('textarea')!.value = ' Checkout hangs ';
    root.querySelector<HTMLSelectElement>('select[name=category]')!.value = 'performance';
    root.querySelector<HTMLSelectElement>('select[name=severity]')!.value = 'high';
    root.querySelector<HTMLInputElement>('input[type=checkbox]')!.checked = true;
    root.querySelector('form')!.requestSubmit();
    expect(submit).toHaveBeenCalledWith({ message: 'Checkout hangs', category: 'performance', severity: 'high', email: 'jane@example.com', files: [] });
    expect(root.querySelector('[role=status]')!.textContent).toBe(defaultLabels.sending);
    expect(root.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled).toBe(true);
    resolve({ status: 'sent', id: 'rep_1' });
    await vi.waitFor(() => expect(root.querySelector('[role=status]')!.textContent).toBe(defaultLabels.success));
    expect(root.activeElement!.textContent).toBe(defaultLabels.close);
  });
});
