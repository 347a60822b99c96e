import type { ComponentType, ReactNode } from 'react'

/**
 * The theme contract. A theme is presentational only: CSS custom properties for light
 * and dark, optional layout slots, a preview image. It never fetches data or imports payload;
 * every string it shows comes in through props (the site's i18n). Switching theme changes the
 * look, never the behaviour: the recorder, data loading and routing belong to the site.
 */
export interface Theme {
  /** Stable id stored in the site settings, e.g. `default`. */
  name: string
  /** Shown in the admin's theme picker. */
  label: string
  description?: string
  /** Values for the tokens in THEME_TOKENS (any missing one falls back to the default theme's). */
  tokens: { light: ThemeTokens; dark: ThemeTokens }
  /** Optional replacements for parts of the site's layout. */
  slots?: { Header?: ComponentType<HeaderSlotProps>; Footer?: ComponentType<FooterSlotProps> }
  /** A small preview image (data: URI), shown in the admin. */
  preview: string
}

export type ThemeTokens = Partial<Record<ThemeToken, string>>

/** Every token the site's stylesheet reads. */
export const THEME_TOKENS = [
  '--color-bg',
  '--color-surface',
  '--color-text',
  '--color-muted',
  '--color-border',
  '--color-accent',
  '--color-accent-text',
  '--color-danger',
  '--color-success',
  '--focus-ring',
  '--font-family',
  '--font-size-base',
  '--line-height',
  '--radius',
  '--space',
  '--control-height',
] as const
export type ThemeToken = (typeof THEME_TOKENS)[number]

export interface NavItem {
  href: string
  label: string
  current: boolean
}

export interface HeaderSlotProps {
  siteName: string
  logoUrl?: string
  nav: NavItem[]
  /** The site's own controls (language and light/dark switches), to be placed somewhere in the header. */
  controls: ReactNode
}

export interface FooterSlotProps {
  siteName: string
  links: NavItem[]
}
