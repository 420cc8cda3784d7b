import defaultTheme from 'tailwindcss/defaultTheme';
import colors from 'tailwindcss/colors';
import typography from '@tailwindcss/typography';

// Tailwind 3 through PostCSS, as in the dashboard: Tailwind 4's native engine has
// per-platform packages that break `npm ci` here. Colours and fonts follow the PRD's
// branding (section 7): indigo primary, amber secondary, Inter and JetBrains Mono.
/** @type {import('tailwindcss').Config} */
export default {
  content: ['./src/**/*.{astro,md,mdx,ts,js}'],
  theme: {
    extend: {
      fontFamily: {
        sans: ['Inter', ...defaultTheme.fontFamily.sans],
        mono: ['"JetBrains Mono"', ...defaultTheme.fontFamily.mono],
      },
      colors: {
        primary: { DEFAULT: colors.indigo[500], dark: colors.indigo[600], soft: colors.indigo[50] },
        secondary: colors.amber[500],
      },
      typography: ({ theme }) => ({
        DEFAULT: {
          css: {
            '--tw-prose-body': theme('colors.slate.700'),
            '--tw-prose-headings': theme('colors.slate.900'),
            '--tw-prose-links': theme('colors.indigo.600'),
            '--tw-prose-code': theme('colors.slate.900'),
            '--tw-prose-pre-bg': theme('colors.slate.900'),
            maxWidth: 'none',
            a: { fontWeight: '500', textDecoration: 'none', borderBottom: `1px solid ${theme('colors.indigo.200')}` },
            'a:hover': { borderBottomColor: theme('colors.indigo.500') },
            'code::before': { content: 'none' },
            'code::after': { content: 'none' },
            code: {
              fontWeight: '500',
              fontSize: '0.85em',
              backgroundColor: theme('colors.slate.100'),
              borderRadius: theme('borderRadius.md'),
              padding: '0.15em 0.35em',
            },
            'pre code': { backgroundColor: 'transparent', padding: '0', fontSize: 'inherit', fontWeight: '400' },
            'h2, h3, h4': { scrollMarginTop: '5rem' },
            table: { fontSize: '0.875rem', lineHeight: '1.5' },
            'thead th': { backgroundColor: theme('colors.slate.50') },
            'th, td': { verticalAlign: 'top' },
          },
        },
      }),
    },
  },
  plugins: [typography],
};
