import { notFound } from 'next/navigation'

import { Speak } from '@/site/components/Speak'
import { isLocale, translator } from '@/site/i18n'
import { contributionLanguages, wantedLanguage } from '@/site/languages'

export const dynamic = 'force-dynamic'

/** Prompt mode. The contribution language (?language=bn) is separate from the site language. */
export default async function SpeakPage({ params, searchParams }: { params: Promise<{ locale: string }>; searchParams: Promise<{ language?: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { language } = await searchParams
  return (
    <>
      <h1>{translator(locale)('speak.title')}</h1>
      <Speak locale={locale} languages={await contributionLanguages()} initialLanguage={wantedLanguage(locale, language)} />
    </>
  )
}
