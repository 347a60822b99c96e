import config from '@payload-config'
import { getPayload } from 'payload'

import { DEFAULT_LOCALE, isLocale, type Locale } from './i18n'
import { themeByName } from './themes'

export interface SiteSettingsView {
  siteName: string
  themeName: string
  accentColor?: string
  logoUrl?: string
  defaultLocale: Locale
  /** Contributors may review pending sentences ("Review sentences"); reviewers always may. */
  contributorsReviewSentences: boolean
}

interface StoredSettings {
  siteName?: string
  theme?: string
  accentColor?: string | null
  defaultLocale?: string
  contributorsReviewSentences?: boolean | null
  logo?: number | { url?: string; sizes?: { logo?: { url?: string | null } } } | null
}

/** The admin's site settings, read per request as the public (read access is open). */
export const loadSiteSettings = async (): Promise<SiteSettingsView> => {
  const payload = await getPayload({ config })
  const settings = (await payload.findGlobal({ slug: 'site-settings', depth: 1, overrideAccess: false }).catch(() => null)) as StoredSettings | null
  const logo = settings?.logo && typeof settings.logo === 'object' ? settings.logo : undefined
  return {
    siteName: settings?.siteName || 'Shrutik',
    themeName: themeByName(settings?.theme).name,
    accentColor: settings?.accentColor || undefined,
    logoUrl: logo?.sizes?.logo?.url || logo?.url || undefined,
    defaultLocale: isLocale(settings?.defaultLocale) ? settings.defaultLocale : DEFAULT_LOCALE,
    contributorsReviewSentences: Boolean(settings?.contributorsReviewSentences),
  }
}
