import { notFound } from 'next/navigation'

import { isLocale, translator } from '@/site/i18n'
import { TERMS_VERSION } from '@/site/terms'

/** The contribution terms, in the visitor's language, with the version recordings store. */
export default async function Terms({ params }: { params: Promise<{ locale: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const t = translator(locale)
  return (
    <article>
      <h1>{t('terms.title')}</h1>
      <p>{t('terms.version', { version: TERMS_VERSION })}</p>
      <p>{t('terms.body')}</p>
    </article>
  )
}
