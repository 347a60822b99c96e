import config from '@payload-config'
import { notFound } from 'next/navigation'
import { getPayload } from 'payload'

import { isLocale, translator } from '@/site/i18n'
import { siteStats } from '@/contribution/stats'

export const dynamic = 'force-dynamic'

/** What the project is, live totals, and a way in per language. */
export default async function Home({ params }: { params: Promise<{ locale: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const t = translator(locale)
  const stats = await siteStats(await getPayload({ config }))
  return (
    <>
      <h1>{t('site.tagline')}</h1>
      <p>{t('home.how')}</p>
      <h2>{t('home.totals')}</h2>
      <ul className="totals" data-testid="totals">
        <li>{t('home.hoursRecorded', { count: stats.recordedHours })}</li>
        <li>{t('home.hoursValidated', { count: stats.validatedHours })}</li>
        <li>{t('home.contributors', { count: stats.contributors })}</li>
      </ul>
      {stats.languages.map((language) => (
        <section key={language.code} className="card" lang={language.code}>
          <h2 style={{ marginBlockStart: 0 }}>
            {language.nativeName} <span lang={locale}>({language.name})</span>
          </h2>
          <p lang={locale}>
            {t('home.hoursRecorded', { count: language.recordedHours })} · {t('home.contributors', { count: language.contributors })} ·{' '}
            {t('home.sentences', { count: language.sentences })}
          </p>
          <a className="button" href={`/${locale}/speak?language=${encodeURIComponent(language.code)}`} lang={locale}>
            {t('home.start', { language: language.nativeName })}
          </a>
        </section>
      ))}
    </>
  )
}
