import config from '@payload-config'
import { getPayload } from 'payload'

import type { ContributionLanguage } from './components/contribution'
import type { Locale } from './i18n'

/** Languages open for contribution, read with the visitor's (public) access. */
export const contributionLanguages = async (): Promise<ContributionLanguage[]> => {
  const payload = await getPayload({ config })
  const languages = await payload.find({ collection: 'languages', where: { isActive: { equals: true } }, depth: 0, limit: 100, sort: 'name', overrideAccess: false })
  return languages.docs.map((doc) => ({ id: Number(doc.id), code: String(doc.code), nativeName: String(doc.nativeName) }))
}

/** `?language=` when given, else the site's own language (a pseudo-locale has none). */
export const wantedLanguage = (locale: Locale, language?: string): string | undefined => language ?? (locale === 'x-rtl' ? undefined : locale)
