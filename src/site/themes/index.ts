import type { Theme } from '@shrutik/plugin-sdk/theme'
import { defaultTheme } from '@shrutik/theme-default'
import { highContrastTheme } from '@shrutik/theme-high-contrast'

/** Installed themes, offered in the admin's site settings. Add a `@shrutik/theme-*` package here. */
export const THEMES: Theme[] = [defaultTheme, highContrastTheme]

export const themeByName = (name: unknown): Theme => THEMES.find((theme) => theme.name === name) ?? defaultTheme

const HEX = /^#[0-9a-f]{6}$/i

/**
 * The CSS for a theme: its light tokens on :root, its dark tokens under prefers-color-scheme (unless
 * the visitor chose light) and under [data-color-scheme="dark"]; the admin's accent colour on top.
 */
export const themeCss = (theme: Theme, accent?: string | null): string => {
  const declarations = (tokens: Record<string, string | undefined>) =>
    Object.entries(tokens)
      .filter(([, value]) => value !== undefined && !/[;{}<]/.test(String(value)))
      .map(([name, value]) => `${name}:${value}`)
      .join(';')
  const light = { ...defaultTheme.tokens.light, ...theme.tokens.light, ...(accent && HEX.test(accent) ? { '--color-accent': accent } : {}) }
  const dark = { ...defaultTheme.tokens.dark, ...theme.tokens.dark }
  return [
    `:root{${declarations(light)}}`,
    `@media (prefers-color-scheme: dark){:root:not([data-color-scheme="light"]){${declarations(dark)}}}`,
    `:root[data-color-scheme="dark"]{${declarations(dark)}}`,
  ].join('\n')
}
