// The sidebar: every documentation page, in reading order. The link checker
// (test/docs.test.mjs) makes sure each of these resolves to a built page.
export interface NavItem {
  title: string;
  href: string;
}
export interface NavSection {
  title: string;
  items: NavItem[];
}

export const nav: NavSection[] = [
  {
    title: 'Getting started',
    items: [
      { title: 'Introduction', href: '/' },
      { title: 'Self-hosting', href: '/getting-started/self-hosting/' },
      { title: 'Setup wizard', href: '/getting-started/setup-wizard/' },
      { title: 'Your first project', href: '/getting-started/first-project/' },
    ],
  },
  {
    title: 'SDK',
    items: [
      { title: 'Installation', href: '/sdk/installation/' },
      { title: 'Configuration', href: '/sdk/configuration/' },
      { title: 'Widget customisation', href: '/sdk/widget/' },
      { title: 'Headless mode', href: '/sdk/headless/' },
      { title: 'User context', href: '/sdk/user-context/' },
      { title: 'Custom metadata', href: '/sdk/metadata/' },
      { title: 'Sanitisation', href: '/sdk/sanitisation/' },
      { title: 'Labels and i18n', href: '/sdk/labels/' },
      { title: 'Feedback and crashes', href: '/sdk/feedback-and-crashes/' },
      { title: 'Offline queue', href: '/sdk/offline-queue/' },
      { title: 'Tauri', href: '/sdk/tauri/' },
      { title: 'JavaScript API', href: '/sdk/api/' },
    ],
  },
  {
    title: 'Server',
    items: [
      { title: 'REST API reference', href: '/server/api/' },
      { title: 'GraphQL API', href: '/server/graphql/' },
      { title: 'Configuration', href: '/server/configuration/' },
      { title: 'Command line', href: '/server/cli/' },
      { title: 'Webhooks', href: '/server/webhooks/' },
      { title: 'Data retention', href: '/server/retention/' },
      { title: 'Storage', href: '/server/storage/' },
      { title: 'Scaling out', href: '/server/scaling/' },
    ],
  },
  {
    title: 'Dashboard',
    items: [
      { title: 'User guide', href: '/dashboard/' },
      { title: 'Reports', href: '/dashboard/reports/' },
      { title: 'Crash groups', href: '/dashboard/crashes/' },
      { title: 'Feedback', href: '/dashboard/feedback/' },
      { title: 'Projects', href: '/dashboard/projects/' },
    ],
  },
  {
    title: 'Project',
    items: [
      { title: 'Contributing', href: '/contributing/' },
      { title: 'Changelog', href: '/changelog/' },
    ],
  },
];

export const repoUrl = 'https://github.com/yoanbernabeu/oopsie';
export const releasesUrl = `${repoUrl}/releases`;

/** Where a page sits in the reading order: its neighbours for the footer links. */
export function neighbours(path: string): { prev?: NavItem; next?: NavItem } {
  const flat = nav.flatMap((s) => s.items);
  const norm = (p: string) => (p.endsWith('/') ? p : `${p}/`);
  const i = flat.findIndex((it) => norm(it.href) === norm(path));
  if (i < 0) return {};
  return { prev: flat[i - 1], next: flat[i + 1] };
}
