import { notFound } from 'next/navigation'

import { ReviewSentences } from '@/site/components/ReviewSentences'
import { isLocale, translator } from '@/site/i18n'
import { contributionLanguages, wantedLanguage } from '@/site/languages'

export const dynamic = 'force-dynamic'

type PageProps = { params: Promise<{ locale: string }>; searchParams: Promise<{ language?: string }> }

/** Approve or reject pending sentences (src/curation): reviewers always, contributors when the admin allows it. */
export default async function ReviewPage({ params, searchParams }: PageProps) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { language } = await searchParams
  return (
    <>
      <h1>{translator(locale)('review.title')}</h1>
      <ReviewSentences locale={locale} languages={await contributionLanguages()} initialLanguage={wantedLanguage(locale, language)} />
    </>
  )
}
