import type { Labels } from './types';

/** English defaults; every one can be overridden with the labels option. */
export const defaultLabels: Labels = {
  title: 'Report a bug',
  messageLabel: 'What happened?',
  messagePlaceholder: 'Describe what happened...',
  categoryLabel: 'Category',
  categoryUi: 'User interface',
  categoryCrash: 'Crash',
  categoryPerformance: 'Performance',
  categoryOther: 'Other',
  severityLabel: 'Severity',
  severityLow: 'Low',
  severityMedium: 'Medium',
  severityHigh: 'High',
  severityCritical: 'Critical',
  emailLabel: 'Email (optional)',
  emailPlaceholder: 'you@example.com',
  emailInvalid: 'Please enter a valid email address.',
  attachmentsLabel: 'Attachments (optional, up to 10 MB each)',
  consent: 'I agree to send my browsing data for bug analysis',
  consentDetails: 'The report includes the pages you visited, your clicks, errors and failed requests of the last few minutes, with passwords and tokens removed.',
  submit: 'Send report',
  cancel: 'Cancel',
  close: 'Close',
  sending: 'Sending…',
  success: 'Thank you! Your report has been sent.',
  queued: 'You seem to be offline. Your report is saved and will be sent automatically.',
  error: 'The report could not be sent.',
  messageRequired: 'Please describe the problem.',
  consentRequired: 'Please agree to send the report.',
  fileTooLarge: '{name} is larger than 10 MB.',
  filesTooLarge: 'The attachments add up to more than 20 MB.',
  tooManyFiles: 'Attach at most 10 files.',
};

/** Replaces {name}-style placeholders. */
export const fill = (label: string, vars: Record<string, string>) => label.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
