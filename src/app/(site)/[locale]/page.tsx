import config from '@payload-config'
import { notFound } from 'next/navigation'
import { getPayload } from 'payload'

import { isLocale, translator, type Locale } from '@/site/i18n'
import { siteStats } from '@/contribution/stats'

export const dynamic = 'force-dynamic'

/** A language's validated hours against its target: a bar (decorative) and the same in words. */
const TargetProgress = ({ locale, validated, target }: { locale: Locale; validated: number; target: number }) => {
  const t = translator(locale)
  const percent = Math.min(100, Math.round((validated / target) * 1000) / 10)
  return (
    <div lang={locale} data-testid="language-target">
      <p>{t('home.target', { validated, target, percent })}</p>
      <div className="target-bar" aria-hidden="true">
        <div className="target-bar__fill" style={{ inlineSize: `${percent}%` }} />
      </div>
    </div>
  )
}

/** What the project is, live totals, a way in per language, and each language's progress toward its target. */
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
          {language.targetHours > 0 && <TargetProgress locale={locale} validated={language.validatedHours} target={language.targetHours} />}
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
