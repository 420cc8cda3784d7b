import { encodeFiles } from './attachments';
import { Breadcrumbs, crumbOf } from './breadcrumbs';
import { RollingBuffer, type BufferKind, type Snapshot } from './buffer';
import { captureClicks } from './capture/clicks';
import { captureConsole } from './capture/console';
import { captureNetwork } from './capture/network';
import { captureNavigation } from './capture/navigation';
import type { Uninstall } from './capture/types';
import { describeError } from './errors';
import { detectPlatform, deviceInfo, type Platform } from './device';
import { defaultLabels } from './labels';
import { OfflineQueue } from './queue';
import { createSanitizer, type Sanitizer } from './sanitize';
import { parseStack } from './stack';
import { fitBytes } from './text';
import { deliver, type Submission } from './transport';
import type {
  Attachment, Breadcrumb, CrashPayload, CrashSeverity, EventType, FeedbackCategory, FeedbackPayload, OopsieConfig,
  OutgoingPayload, ReportPayload, SendOutcome, UserContext, WidgetOptions,
} from './types';
import { Widget, type ReportForm } from './widget/widget';

export interface FeedbackInput {
  category: FeedbackCategory;
  message: string;
  email?: string;
  attachments?: File[];
}

export interface CrashInput {
  error: unknown;
  appState?: Record<string, unknown>;
  severity?: CrashSeverity;
  /** Stored in appState.tags. */
  tags?: Record<string, string>;
  /** Groups crashes your way instead of by stack. */
  fingerprint?: string;
}

export type CaptureOptions = Omit<CrashInput, 'error'>;

const DEFAULT_WIDGET: Required<WidgetOptions> = {
  enabled: true, position: 'bottom-right', color: '#6366f1', theme: 'light', text: 'Report a bug', icon: true,
};

// Automatic crash reports of one page: the same error once a minute, 20 different errors in all.
const AUTO_CRASH_REPEAT_MS = 60_000;
const AUTO_CRASH_MAX = 20;

/** One initialised SDK: captures, buffer, widget, queue. */
export class Client {
  readonly breadcrumbs: Breadcrumbs;
  private readonly buffer: RollingBuffer;
  private readonly sanitizer: Sanitizer;
  private readonly queue: OfflineQueue;
  private readonly serverUrl: string;
  private readonly slug: string;
  private readonly widgetOptions: Required<WidgetOptions>;
  private readonly undo: Uninstall[] = [];
  private widget: Widget | undefined;
  private frozen: Snapshot | undefined;
  private user: UserContext | undefined;
  private platform: Promise<Platform> | undefined;
  private readonly autoCrashes = new Map<string, number>();

  constructor(private readonly config: OopsieConfig) {
    if (!config?.serverUrl || !config.apiKey) throw new TypeError('Oopsie.init: serverUrl and apiKey are required');
    this.serverUrl = config.serverUrl.replace(/\/+$/, '');
    // pk_{slug}_{16 hex}: the SDK routes are /sdk/{slug}/….
    this.slug = /^pk_(.+)_[0-9a-f]{16}$/i.exec(config.apiKey)?.[1] ?? '';
    this.user = config.user ? { ...config.user } : undefined;
    this.widgetOptions = { ...DEFAULT_WIDGET, ...config.widget };
    this.sanitizer = createSanitizer(config.sanitize);
    this.buffer = new RollingBuffer(config.bufferDuration ?? 5 * 60_000, config.maxBufferSize ?? 1_000_000);
    this.breadcrumbs = new Breadcrumbs(Math.min(100, Math.max(0, config.maxBreadcrumbs ?? 50)));
    this.queue = new OfflineQueue({ send: (req) => this.send(req) });

    const record = (kind: BufferKind, data: Record<string, unknown>) => {
      this.buffer.push(kind, data);
      this.breadcrumbs.add(crumbOf(kind, data));
    };
    const own = (url: string) => {
      let abs = url;
      try { abs = new URL(url, location.href).href; } catch { /* not a URL */ }
      return abs.startsWith(`${this.serverUrl}/api/v1/reports`) || abs.startsWith(`${this.serverUrl}/sdk/`);
    };
    this.undo.push(
      captureNavigation(record, this.sanitizer),
      captureClicks(record, () => this.widget?.host ?? null),
      captureConsole(record, this.sanitizer, (e) => this.autoCrash(e)),
      captureNetwork(record, this.sanitizer, own),
    );

    const online = () => void this.queue.retryNow();
    addEventListener('online', online);
    this.undo.push(() => removeEventListener('online', online), () => this.queue.stop());
    void this.queue.flush();

    if (this.widgetOptions.enabled) this.whenBody(() => this.ensureWidget());
  }

  open(): void {
    this.whenBody(() => this.ensureWidget().open());
  }

  close(): void {
    this.widget?.close();
  }

  setUser(user: UserContext | null): void {
    this.user = user ? { ...user } : undefined;
  }

  /** Sends what the offline queue holds now, without waiting for the backoff. */
  flush(): Promise<void> {
    return this.queue.retryNow();
  }

  destroy(): void {
    this.undo.forEach((u) => u());
    this.widget?.destroy();
    this.widget = undefined;
  }

  async submitReport(form: ReportForm): Promise<SendOutcome> {
    const captured = this.frozen ?? this.buffer.snapshot();
    const payload: ReportPayload = {
      message: form.message,
      category: form.category,
      severity: form.severity,
      ...(form.email ? { reporterEmail: form.email } : {}),
      pageUrl: this.sanitizer.url(location.href),
      ...(this.appVersion() !== 'unknown' ? { appVersion: this.appVersion() } : {}),
      ...(this.user ? { userContext: this.user } : {}),
      ...(this.config.metadata ? { customMetadata: this.config.metadata } : {}),
      deviceInfo: deviceInfo(),
      ...captured,
      consent: true,
      ...(form.files.length ? { attachments: await encodeFiles(form.files) } : {}),
    };
    const out = await this.dispatch('report', `${this.serverUrl}/api/v1/reports`, payload);
    if (out.status === 'sent' || out.status === 'queued') {
      this.buffer.clear();
      this.frozen = undefined;
    }
    return out;
  }

  async submitFeedback(input: FeedbackInput): Promise<SendOutcome> {
    const p = await this.platformInfo();
    const payload: FeedbackPayload = {
      category: input.category,
      message: input.message,
      ...(input.email ? { email: input.email } : {}),
      appVersion: this.appVersion(),
      ...p,
      ...this.device(),
      ...(input.attachments?.length ? { attachments: await encodeFiles(input.attachments) } : {}),
    };
    return this.dispatch('feedback', this.sdkUrl('feedback'), payload);
  }

  async reportCrash(input: CrashInput): Promise<SendOutcome> {
    const { errorType, errorMessage, stack } = describeError(input.error);
    const p = await this.platformInfo();
    const appState = input.tags ? { ...input.appState, tags: input.tags } : input.appState;
    // Within the server's limits, in bytes: a crash is refused whole for one field over.
    const payload: CrashPayload = {
      errorType: fitBytes(errorType, 200) || 'Error',
      errorMessage: fitBytes(errorMessage, 10_000),
      stackTrace: parseStack(stack).map((f) => ({ ...f, file: fitBytes(f.file, 1000), function: fitBytes(f.function, 1000) })),
      appVersion: fitBytes(this.appVersion(), 100),
      ...p,
      ...this.device(),
      ...(appState ? { appState } : {}),
      breadcrumbs: this.breadcrumbs.list(),
      severity: input.severity ?? 'error',
      ...(this.user?.id ? { userId: fitBytes(String(this.user.id), 200) } : {}),
      ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
    };
    return this.dispatch('crash', this.sdkUrl('crashes'), payload);
  }

  private ensureWidget(): Widget {
    this.widget ??= new Widget({
      options: this.widgetOptions,
      labels: { ...defaultLabels, ...this.config.labels },
      email: typeof this.user?.email === 'string' ? this.user.email : undefined,
      // Frozen as the form opens, so the minutes spent writing do not push out what led to it.
      onOpen: () => { this.frozen = this.buffer.snapshot(); },
      submit: (form) => this.submitReport(form),
    });
    return this.widget;
  }

  private whenBody(fn: () => void): void {
    if (document.body) fn();
    else document.addEventListener('DOMContentLoaded', fn, { once: true });
  }

  private appVersion(): string {
    const v = this.config.appVersion ?? this.config.metadata?.appVersion;
    return typeof v === 'string' && v ? v : 'unknown';
  }

  private device(): { deviceInfo?: Record<string, unknown> } {
    return this.config.collectDeviceInfo === false ? {} : { deviceInfo: deviceInfo() };
  }

  private async platformInfo(): Promise<Platform> {
    this.platform ??= this.config.platform ? Promise.resolve({ platform: this.config.platform }) : detectPlatform();
    const p = await this.platform;
    return { platform: fitBytes(p.platform, 100), ...(p.osVersion ? { osVersion: fitBytes(p.osVersion, 100) } : {}) };
  }

  private sdkUrl(route: string): string {
    return `${this.serverUrl}/sdk/${encodeURIComponent(this.slug)}/${route}`;
  }

  private autoCrash(error: unknown): void {
    if (!this.config.enableAutoCrashReporting || this.autoCrashes.size >= AUTO_CRASH_MAX) return;
    const { errorType, errorMessage } = describeError(error);
    const key = `${errorType}: ${errorMessage}`;
    const last = this.autoCrashes.get(key);
    if (last && Date.now() - last < AUTO_CRASH_REPEAT_MS) return;
    this.autoCrashes.set(key, Date.now());
    void this.reportCrash({ error, severity: 'error' });
  }

  private send(req: Submission) {
    return deliver(this.config.fetch ?? globalThis.fetch, req);
  }

  private async dispatch<T extends OutgoingPayload>(type: EventType, url: string, payload: T): Promise<SendOutcome> {
    let event: T | null | false | undefined = payload;
    if (this.config.beforeSend) {
      try {
        event = await this.config.beforeSend(payload, { type });
      } catch {
        // A filter that fails cannot vouch for what it was meant to remove.
        event = null;
      }
      if (!event) return { status: 'dropped' };
    }
    const req: Submission = { url, apiKey: this.config.apiKey, body: JSON.stringify(event) };
    const res = await this.send(req);
    if (res.ok) return { status: 'sent', id: res.id, ...(res.groupId ? { groupId: res.groupId } : {}) };
    if (!res.retry) return { status: 'rejected', httpStatus: res.status, message: res.message, ...(res.fields ? { fields: res.fields } : {}) };
    if (this.queue.add(req, 1, res.retryAfterMs)) return { status: 'queued' };
    // Too big for localStorage: keep the report, without its files.
    const files = (event as { attachments?: Attachment[] }).attachments;
    if (files?.length && this.queue.add({ ...req, body: JSON.stringify({ ...event, attachments: undefined }) }, 1, res.retryAfterMs)) {
      return { status: 'queued' };
    }
    return { status: 'rejected', httpStatus: res.status, message: res.message };
  }
}

let current: Client | undefined;

function client(): Client {
  if (!current) throw new Error('Oopsie: call Oopsie.init() first');
  return current;
}

export interface OopsieApi {
  /** Starts capturing and shows the widget. Calling it again replaces the previous setup. */
  init(config: OopsieConfig): OopsieApi;
  /** Opens the report form (also in headless mode). */
  open(): void;
  close(): void;
  feedback: { submit(input: FeedbackInput): Promise<SendOutcome> };
  crashes: {
    report(input: CrashInput): Promise<SendOutcome>;
    captureException(error: unknown, options?: CaptureOptions): Promise<SendOutcome>;
  };
  captureException(error: unknown, options?: CaptureOptions): Promise<SendOutcome>;
  breadcrumbs: { add(b: Breadcrumb): void };
  setUser(user: UserContext | null): void;
  /** Sends what the offline queue holds now, without waiting for the backoff. */
  flush(): Promise<void>;
  /** Stops capturing, restores the patched APIs and removes the widget. */
  destroy(): void;
}

const captureException: OopsieApi['captureException'] = (error, options = {}) => client().reportCrash({ ...options, error });

/** The SDK: one instance per page. */
export const Oopsie: OopsieApi = {
  init(config) {
    if (typeof window === 'undefined') return Oopsie; // server-side rendering: nothing to capture
    current?.destroy();
    current = new Client(config);
    return Oopsie;
  },
  open: () => client().open(),
  close: () => current?.close(),
  feedback: {
    submit: (input) => client().submitFeedback(input),
  },
  crashes: {
    report: (input) => client().reportCrash(input),
    captureException,
  },
  captureException,
  breadcrumbs: {
    add: (b) => client().breadcrumbs.add(b),
  },
  setUser: (user) => client().setUser(user),
  flush: () => client().flush(),
  destroy() {
    current?.destroy();
    current = undefined;
  },
};
