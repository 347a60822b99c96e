import { bn } from './bn'
import { en, type MessageKey, type Messages } from './en'

/**
 * Site locales. `x-rtl` is a pseudo-locale (English text, right-to-left layout) for checking that
 * the layout holds for right-to-left scripts; offered outside production, or with SITE_PSEUDO_LOCALES=true.
 */
export const LOCALES = ['en', 'bn', 'x-rtl'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'en'

const MESSAGES: Record<Locale, Messages> = { en, bn, 'x-rtl': en }
const NAMES: Record<Locale, string> = { en: 'English', bn: 'বাংলা', 'x-rtl': 'RTL test' }

/** The real locales (no pseudo-locale): what an account or the site settings may choose. */
export const REAL_LOCALES = LOCALES.filter((locale) => locale !== 'x-rtl')

export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
export const publicLocales = (): Locale[] =>
  LOCALES.filter((locale) => locale !== 'x-rtl' || process.env.NODE_ENV !== 'production' || process.env.SITE_PSEUDO_LOCALES === 'true')
export const localeName = (locale: Locale): string => NAMES[locale]
export const direction = (locale: Locale): 'ltr' | 'rtl' => (locale === 'x-rtl' ? 'rtl' : 'ltr')
/** The BCP-47 tag for Intl: Bengali gets Bengali digits (১২৩) from the `bn` locale itself. */
const intlTag = (locale: Locale) => (locale === 'x-rtl' ? 'en' : locale)

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string

/** A translator for one locale: `{name}` placeholders, `count` chooses the plural form, numbers in the locale's digits. */
export const translator = (locale: Locale): Translate => {
  const messages = MESSAGES[locale]
  const plural = new Intl.PluralRules(intlTag(locale))
  const number = new Intl.NumberFormat(intlTag(locale), { maximumFractionDigits: 2 })
  return (key, values = {}) => {
    const entry = messages[key] ?? en[key]
    const template = typeof entry === 'string' ? entry : (entry[plural.select(Number(values.count ?? 0))] ?? entry.other)
    return template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = values[name]
      if (value === undefined) return `{${name}}`
      return typeof value === 'number' ? number.format(value) : value
    })
  }
}

export type { MessageKey }
