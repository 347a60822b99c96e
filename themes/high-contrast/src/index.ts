import type { Theme } from '@shrutik/plugin-sdk/theme'

import { HighContrastHeader } from './Header'

const preview = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="100"><rect width="160" height="100" fill="#000"/><rect x="0" y="0" width="160" height="26" fill="#ffff00"/><rect x="10" y="40" width="110" height="16" fill="#fff"/><rect x="10" y="66" width="70" height="24" fill="#ffff00" stroke="#fff" stroke-width="3"/></svg>',
)}`

/**
 * High contrast and large type for low-vision contributors: pure black and white with a yellow
 * accent (contrast above 15:1), 1.25× text, thick focus outlines, square corners, bigger controls.
 */
export const highContrastTheme: Theme = {
  name: 'high-contrast',
  label: 'High contrast, large type',
  description: 'Black, white and yellow, larger text and controls: for low vision and bright sunlight.',
  tokens: {
    light: {
      '--color-bg': '#ffffff',
      '--color-surface': '#ffffff',
      '--color-text': '#000000',
      '--color-muted': '#1a1a1a',
      '--color-border': '#000000',
      '--color-accent': '#0000cc',
      '--color-accent-text': '#ffffff',
      '--color-danger': '#a00000',
      '--color-success': '#005a00',
      '--focus-ring': '0 0 0 4px #ffbf00, 0 0 0 7px #000000',
      '--font-family': 'Verdana, "Noto Sans Bengali", "Noto Sans", sans-serif',
      '--font-size-base': '1.25rem',
      '--line-height': '1.7',
      '--radius': '0',
      '--space': '1.25rem',
      '--control-height': '3.5rem',
    },
    dark: {
      '--color-bg': '#000000',
      '--color-surface': '#000000',
      '--color-text': '#ffffff',
      '--color-muted': '#f0f0f0',
      '--color-border': '#ffffff',
      '--color-accent': '#ffff00',
      '--color-accent-text': '#000000',
      '--color-danger': '#ff8080',
      '--color-success': '#80ff80',
      '--focus-ring': '0 0 0 4px #ffff00, 0 0 0 7px #ffffff',
    },
  },
  slots: { Header: HighContrastHeader },
  preview,
}

export default highContrastTheme
