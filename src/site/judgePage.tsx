import { notFound } from 'next/navigation'

import { Judge } from './components/Judge'
import { isLocale, translator } from './i18n'
import { contributionLanguages, wantedLanguage } from './languages'

type PageProps = { params: Promise<{ locale: string }>; searchParams: Promise<{ language?: string }> }

/** The `listen` and `transcribe` pages: the same page around the consensus plugin's serving API. */
export const judgePage = (task: 'listen' | 'transcribe') =>
  async function JudgePage({ params, searchParams }: PageProps) {
    const { locale } = await params
    if (!isLocale(locale)) notFound()
    const { language } = await searchParams
    return (
      <>
        <h1>{translator(locale)(task === 'listen' ? 'listen.title' : 'transcribe.title')}</h1>
        <Judge task={task} locale={locale} languages={await contributionLanguages()} initialLanguage={wantedLanguage(locale, language)} />
      </>
    )
  }
