import { notFound } from 'next/navigation'

import { LongSpeak } from '@/site/components/LongSpeak'
import { isLocale, translator } from '@/site/i18n'
import { contributionLanguages, wantedLanguage } from '@/site/languages'

export const dynamic = 'force-dynamic'

/** Long-script mode: a passage read in one go (the server cuts it at pauses). */
export default async function LongPage({ params, searchParams }: { params: Promise<{ locale: string }>; searchParams: Promise<{ language?: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { language } = await searchParams
  return (
    <>
      <h1>{translator(locale)('long.title')}</h1>
      <LongSpeak locale={locale} languages={await contributionLanguages()} initialLanguage={wantedLanguage(locale, language)} />
    </>
  )
}
