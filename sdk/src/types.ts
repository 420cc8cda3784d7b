/** Where the floating button sits. */
export type WidgetPosition = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

export interface WidgetOptions {
  /** true: a floating button opens the form; false: headless, call Oopsie.open(). */
  enabled?: boolean;
  position?: WidgetPosition;
  /** Primary colour, any CSS colour. */
  color?: string;
  theme?: 'light' | 'dark';
  /** Text of the floating button. */
  text?: string;
  /** Show the bug icon on the button. */
  icon?: boolean;
}

export interface SanitizeOptions {
  /** Extra request and response headers whose values are redacted. */
  headers?: string[];
  /** Extra keys redacted at any depth of JSON and form bodies. */
  bodyKeys?: string[];
  /** Extra URL query and fragment parameters redacted. */
  queryParams?: string[];
}

/** Who the user is; sent as the report's userContext, and `id` as a crash's userId. */
export interface UserContext {
  id?: string;
  email?: string;
  name?: string;
  [key: string]: unknown;
}

export type EventType = 'report' | 'feedback' | 'crash';

/**
 * Called with every payload before it leaves: return it (changed or not) to
 * send it, or null/false to drop it.
 */
export type BeforeSend = <T extends OutgoingPayload>(
  event: T,
  hint: { type: EventType },
) => T | null | false | undefined | Promise<T | null | false | undefined>;

export interface OopsieConfig {
  serverUrl: string;
  /** The project's public key, pk_{slug}_{hex}. */
  apiKey: string;
  widget?: WidgetOptions;
  user?: UserContext;
  metadata?: Record<string, unknown>;
  labels?: Partial<Labels>;
  sanitize?: SanitizeOptions;
  /** How far back the rolling buffer reaches, in ms (default 5 minutes). */
  bufferDuration?: number;
  /** Memory cap of the rolling buffer, in characters of JSON (default 1,000,000). */
  maxBufferSize?: number;
  /** Version of your app; falls back to metadata.appVersion, then "unknown". */
  appVersion?: string;
  /** Overrides the detected platform of feedback and crashes (e.g. "darwin-aarch64"). */
  platform?: string;
  /** Send uncaught errors and unhandled rejections as crashes (default false). */
  enableAutoCrashReporting?: boolean;
  /** Breadcrumbs kept for crash reports (default 50, at most 100). */
  maxBreadcrumbs?: number;
  /** Attach device details (screen, language, …) to feedback and crashes (default true). */
  collectDeviceInfo?: boolean;
  beforeSend?: BeforeSend;
  /**
   * The fetch that sends to Oopsie (default: the page's). In Tauri, pass the
   * HTTP plugin's: it sends from the Rust side, without an Origin header.
   */
  fetch?: typeof fetch;
}

export interface Labels {
  title: string;
  messageLabel: string;
  messagePlaceholder: string;
  categoryLabel: string;
  categoryUi: string;
  categoryCrash: string;
  categoryPerformance: string;
  categoryOther: string;
  severityLabel: string;
  severityLow: string;
  severityMedium: string;
  severityHigh: string;
  severityCritical: string;
  emailLabel: string;
  emailPlaceholder: string;
  emailInvalid: string;
  attachmentsLabel: string;
  consent: string;
  consentDetails: string;
  submit: string;
  cancel: string;
  close: string;
  sending: string;
  success: string;
  queued: string;
  error: string;
  messageRequired: string;
  consentRequired: string;
  fileTooLarge: string;
  filesTooLarge: string;
  tooManyFiles: string;
}

export interface Attachment {
  /** Standard base64 of the file's bytes. */
  data: string;
  filename: string;
  mimeType: string;
}

export type ReportCategory = 'ui' | 'crash' | 'performance' | 'other';
export type ReportSeverity = 'low' | 'medium' | 'high' | 'critical';

/** The body of POST /api/v1/reports. */
export interface ReportPayload {
  message: string;
  category: ReportCategory;
  severity: ReportSeverity;
  reporterEmail?: string;
  pageUrl: string;
  appVersion?: string;
  userContext?: Record<string, unknown>;
  customMetadata?: Record<string, unknown>;
  deviceInfo?: Record<string, unknown>;
  timeline: Record<string, unknown>[];
  consoleErrors: Record<string, unknown>[];
  networkFailures: Record<string, unknown>[];
  consent: true;
  attachments?: Attachment[];
}

export type FeedbackCategory = 'bug' | 'feature' | 'general';

/** The body of POST /sdk/{slug}/feedback. */
export interface FeedbackPayload {
  category: FeedbackCategory;
  message: string;
  email?: string;
  appVersion: string;
  platform: string;
  osVersion?: string;
  deviceInfo?: Record<string, unknown>;
  attachments?: Attachment[];
}

export interface StackFrame {
  file: string;
  line: number;
  column: number;
  function: string;
  isNative: boolean;
}

export interface Breadcrumb {
  type: string;
  message: string;
  /** RFC 3339; set when added if omitted. */
  timestamp?: string;
  data?: Record<string, unknown>;
}

export type CrashSeverity = 'warning' | 'error' | 'fatal';

/** The body of POST /sdk/{slug}/crashes. */
export interface CrashPayload {
  errorType: string;
  errorMessage: string;
  stackTrace: StackFrame[];
  appVersion: string;
  platform: string;
  osVersion?: string;
  deviceInfo?: Record<string, unknown>;
  appState?: Record<string, unknown>;
  breadcrumbs: Breadcrumb[];
  severity: CrashSeverity;
  userId?: string;
  fingerprint?: string;
}

export type OutgoingPayload = ReportPayload | FeedbackPayload | CrashPayload;

/**
 * What became of a submission: sent (the server's id), queued for a retry,
 * dropped by beforeSend, or rejected by the server for good.
 */
export type SendOutcome =
  | { status: 'sent'; id: string; groupId?: string }
  | { status: 'queued' }
  | { status: 'dropped' }
  | { status: 'rejected'; httpStatus: number; message: string; fields?: Record<string, string> };
