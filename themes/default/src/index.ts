import type { Theme } from '@shrutik/plugin-sdk/theme'

const preview = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="100"><rect width="160" height="100" fill="#faf7f2"/><rect x="10" y="10" width="140" height="16" rx="4" fill="#ffffff" stroke="#e2dccf"/><rect x="10" y="40" width="90" height="10" rx="3" fill="#2b2a28"/><rect x="10" y="58" width="120" height="8" rx="3" fill="#6b655c"/><rect x="10" y="76" width="50" height="16" rx="8" fill="#c2410c"/></svg>',
)}`

/** The default theme: warm off-white, dark ink, a terracotta accent; comfortable type on phones. */
export const defaultTheme: Theme = {
  name: 'default',
  label: 'Default',
  description: 'Calm and readable, with a warm accent.',
  tokens: {
    light: {
      '--color-bg': '#faf7f2',
      '--color-surface': '#ffffff',
      '--color-text': '#2b2a28',
      '--color-muted': '#6b655c',
      '--color-border': '#e2dccf',
      '--color-accent': '#c2410c',
      '--color-accent-text': '#ffffff',
      '--color-danger': '#b91c1c',
      '--color-success': '#15803d',
      '--focus-ring': '0 0 0 3px rgba(194, 65, 12, 0.45)',
      '--font-family': 'system-ui, "Noto Sans Bengali", "Noto Sans", sans-serif',
      '--font-size-base': '1rem',
      '--line-height': '1.6',
      '--radius': '10px',
      '--space': '1rem',
      '--control-height': '2.75rem',
    },
    dark: {
      '--color-bg': '#1c1b19',
      '--color-surface': '#262522',
      '--color-text': '#f1ede6',
      '--color-muted': '#b4ada2',
      '--color-border': '#3d3a35',
      '--color-accent': '#fb923c',
      '--color-accent-text': '#1c1b19',
      '--color-danger': '#f87171',
      '--color-success': '#4ade80',
      '--focus-ring': '0 0 0 3px rgba(251, 146, 60, 0.55)',
    },
  },
  preview,
}

export default defaultTheme
