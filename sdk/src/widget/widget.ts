import { checkFiles } from '../attachments';
import { fill } from '../labels';
import type { Labels, ReportCategory, ReportSeverity, SendOutcome, WidgetOptions } from '../types';
import { trapFocus } from './focus';
import { bugIcon, styles } from './styles';

export interface ReportForm {
  message: string;
  category: ReportCategory;
  severity: ReportSeverity;
  email: string;
  files: File[];
}

export interface WidgetDeps {
  options: Required<WidgetOptions>;
  labels: Labels;
  email?: string;
  /** Called as the form opens: the moment the buffer is frozen. */
  onOpen(): void;
  submit(form: ReportForm): Promise<SendOutcome>;
}

type Attrs = Record<string, string | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) el.setAttribute(k, '');
    else if (typeof v === 'string') el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

let uid = 0;

/**
 * The floating button and the report form, in a shadow root so that the
 * page's CSS and the widget's never touch. Without the button (headless
 * mode) the form is opened with open().
 */
export class Widget {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  private backdrop: HTMLElement | undefined;
  private returnFocus: HTMLElement | null = null;
  private readonly id = `oopsie-${++uid}`;

  constructor(private readonly d: WidgetDeps) {
    this.host = h('div', { 'data-oopsie': '', 'data-theme': d.options.theme });
    this.root = this.host.attachShadow({ mode: 'open' });
    this.root.append(h('style', {}, styles));
    // setProperty ignores what is not a value, so a colour cannot inject CSS.
    this.host.style.setProperty('--accent', d.options.color);
    if (d.options.enabled) {
      const launcher = h('button', { type: 'button', class: `launcher ${d.options.position}`, 'aria-haspopup': 'dialog' }, d.options.text);
      if (d.options.icon) launcher.insertAdjacentHTML('afterbegin', bugIcon);
      launcher.addEventListener('click', () => this.open());
      this.root.append(launcher);
    }
    document.body.append(this.host);
  }

  get isOpen(): boolean {
    return !!this.backdrop;
  }

  open(): void {
    if (this.backdrop) return;
    // Focus inside the shadow root shows from outside as the host.
    const active = document.activeElement === this.host ? this.root.activeElement : document.activeElement;
    this.returnFocus = active instanceof HTMLElement && active !== document.body ? active : null;
    this.d.onOpen();
    this.backdrop = this.form();
    this.root.append(this.backdrop);
    this.launcher()?.setAttribute('aria-expanded', 'true');
    this.root.querySelector('textarea')?.focus();
  }

  close(): void {
    if (!this.backdrop) return;
    this.backdrop.remove();
    this.backdrop = undefined;
    const launcher = this.launcher();
    launcher?.setAttribute('aria-expanded', 'false');
    (this.returnFocus ?? launcher)?.focus();
  }

  destroy(): void {
    this.host.remove();
  }

  private launcher() {
    return this.root.querySelector<HTMLButtonElement>('.launcher');
  }

  private form(): HTMLElement {
    const L = this.d.labels;
    const id = (s: string) => `${this.id}-${s}`;
    const option = (value: string, label: string, selected = false) => h('option', { value, selected }, label);
    const errorOf = (name: string) => h('p', { class: 'error', id: id(`${name}-error`), hidden: true });

    // The server's limit is 10,000 characters.
    const message = h('textarea', { id: id('message'), name: 'message', required: true, maxlength: '10000', placeholder: L.messagePlaceholder, 'aria-describedby': id('message-error') });
    const category = h('select', { id: id('category'), name: 'category' },
      option('ui', L.categoryUi), option('crash', L.categoryCrash), option('performance', L.categoryPerformance), option('other', L.categoryOther, true));
    const severity = h('select', { id: id('severity'), name: 'severity' },
      option('low', L.severityLow), option('medium', L.severityMedium, true), option('high', L.severityHigh), option('critical', L.severityCritical));
    const email = h('input', { id: id('email'), name: 'email', type: 'email', autocomplete: 'email', placeholder: L.emailPlaceholder, 'aria-describedby': id('email-error') });
    email.value = this.d.email ?? '';
    const files = h('input', { id: id('files'), name: 'attachments', type: 'file', multiple: true, 'aria-describedby': id('files-error'),
      accept: 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,application/json,video/webm,video/mp4' });
    const consent = h('input', { id: id('consent'), name: 'consent', type: 'checkbox', required: true, 'aria-describedby': `${id('consent-details')} ${id('consent-error')}` });
    const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'primary' }, L.submit);
    const cancel = h('button', { type: 'button' }, L.cancel);
    cancel.addEventListener('click', () => this.close());

    const form = h('form', { novalidate: true },
      h('label', { for: id('message') }, L.messageLabel), message, errorOf('message'),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: id('category') }, L.categoryLabel), category),
        h('div', {}, h('label', { for: id('severity') }, L.severityLabel), severity)),
      h('label', { for: id('email') }, L.emailLabel), email, errorOf('email'),
      h('label', { for: id('files') }, L.attachmentsLabel), files, errorOf('files'),
      h('div', { class: 'consent' }, consent, h('label', { for: id('consent') }, L.consent)),
      h('p', { class: 'hint', id: id('consent-details') }, L.consentDetails), errorOf('consent'),
      status,
      h('div', { class: 'actions' }, cancel, submit));

    const dialog = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': id('title') },
      h('h2', { id: id('title') }, L.title), form);
    dialog.addEventListener('keydown', trapFocus(dialog, () => this.close()));

    const invalid = (field: HTMLElement, name: string, text?: string) => {
      const err = this.root.getElementById(id(`${name}-error`))!;
      err.textContent = text ?? '';
      err.hidden = !text;
      if (text) field.setAttribute('aria-invalid', 'true');
      else field.removeAttribute('aria-invalid');
      return !!text;
    };

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const list = Array.from(files.files ?? []);
      const p = checkFiles(list);
      const bad = [
        invalid(message, 'message', message.value.trim() ? undefined : L.messageRequired),
        invalid(email, 'email', email.validity.typeMismatch ? L.emailInvalid : undefined),
        invalid(files, 'files', p && (p.kind === 'tooLarge' ? fill(L.fileTooLarge, { name: p.name }) : p.kind === 'tooMany' ? L.tooManyFiles : L.filesTooLarge)),
        invalid(consent, 'consent', consent.checked ? undefined : L.consentRequired),
      ];
      if (bad.some(Boolean)) {
        ([message, email, files, consent] as HTMLElement[])[bad.indexOf(true)]!.focus();
        return;
      }
      submit.disabled = true;
      status.textContent = L.sending;
      this.d.submit({
        message: message.value.trim(), category: category.value as ReportCategory, severity: severity.value as ReportSeverity,
        email: email.value.trim(), files: list,
      }).then((r) => {
        if (r.status === 'rejected') {
          submit.disabled = false;
          status.textContent = `${L.error} ${r.message}`;
          return;
        }
        if (r.status === 'dropped') return this.close();
        this.done(dialog, r.status === 'sent' ? L.success : L.queued);
      }, (e: unknown) => {
        submit.disabled = false;
        status.textContent = `${L.error} ${String(e)}`;
      });
    });

    return h('div', { class: 'backdrop' }, dialog);
  }

  /** Replaces the form with the outcome and a close button. */
  private done(dialog: HTMLElement, text: string): void {
    const close = h('button', { type: 'button', class: 'primary' }, this.d.labels.close);
    close.addEventListener('click', () => this.close());
    dialog.querySelector('form')!.replaceWith(h('p', { class: 'status', role: 'status' }, text), h('div', { class: 'actions' }, close));
    close.focus();
  }
}
