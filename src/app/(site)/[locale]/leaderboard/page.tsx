import config from '@payload-config'
import { notFound } from 'next/navigation'
import { getPayload } from 'payload'

import { activeLanguageId } from '@/contribution/nextSentences'
import { leaderboard, LEADERBOARD_METRICS, LEADERBOARD_PERIODS, type LeaderboardMetric, type LeaderboardPeriod } from '@/goals/data'
import { MyNumbers } from '@/site/components/ProgressRing'
import { isLocale, translator } from '@/site/i18n'
import { contributionLanguages, wantedLanguage } from '@/site/languages'

export const dynamic = 'force-dynamic'

type PageProps = { params: Promise<{ locale: string }>; searchParams: Promise<{ language?: string; metric?: string; period?: string }> }

const pick = <T extends string>(value: string | undefined, allowed: readonly T[]): T => ((allowed as readonly string[]).includes(value ?? '') ? (value as T) : allowed[0])

/**
 * Leaderboards per language: clips recorded or checked, this week or all time. Only accounts that
 * opted in, under their display name (src/goals/listable.ts decides who); a form of plain links and
 * selects, so it works without JavaScript. Below, the visitor's own numbers.
 */
export default async function LeaderboardPage({ params, searchParams }: PageProps) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const t = translator(locale)
  const query = await searchParams
  const languages = await contributionLanguages()
  const wanted = wantedLanguage(locale, query.language)
  const language = languages.find((candidate) => candidate.code === wanted) ?? languages[0]
  const metric = pick<LeaderboardMetric>(query.metric, LEADERBOARD_METRICS)
  const period = pick<LeaderboardPeriod>(query.period, LEADERBOARD_PERIODS)
  const payload = await getPayload({ config })
  const languageId = language ? await activeLanguageId(payload, language.code) : undefined
  const entries = languageId === undefined ? [] : await leaderboard(payload, { languageId, metric, period })
  const metricLabel = t(metric === 'recorded' ? 'leaderboard.recorded' : 'leaderboard.validated')
  const periodLabel = t(period === 'week' ? 'leaderboard.week' : 'leaderboard.all')
  return (
    <>
      <h1>{t('leaderboard.title')}</h1>
      <p>{t('leaderboard.help')}</p>
      <form method="get" className="actions">
        <label>
          {t('leaderboard.language')}{' '}
          <select name="language" defaultValue={language?.code}>
            {languages.map((candidate) => (
              <option key={candidate.code} value={candidate.code} lang={candidate.code}>
                {candidate.nativeName}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('leaderboard.metric')}{' '}
          <select name="metric" defaultValue={metric}>
            <option value="recorded">{t('leaderboard.recorded')}</option>
            <option value="validated">{t('leaderboard.validated')}</option>
          </select>
        </label>
        <label>
          {t('leaderboard.period')}{' '}
          <select name="period" defaultValue={period}>
            <option value="week">{t('leaderboard.week')}</option>
            <option value="all">{t('leaderboard.all')}</option>
          </select>
        </label>
        <button type="submit" className="button">
          {t('leaderboard.show')}
        </button>
      </form>
      {entries.length === 0 ? (
        <p data-testid="leaderboard-empty">{t('leaderboard.empty')}</p>
      ) : (
        <table className="leaderboard" data-testid="leaderboard">
          <caption>{t('leaderboard.caption', { metric: metricLabel, period: periodLabel, language: language?.nativeName ?? '' })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('leaderboard.rank')}</th>
              <th scope="col">{t('leaderboard.name')}</th>
              <th scope="col">{t('leaderboard.clips')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.rank}>
                <td>{entry.rank.toLocaleString(locale === 'x-rtl' ? 'en' : locale)}</td>
                <th scope="row">{entry.displayName}</th>
                <td>{entry.clips.toLocaleString(locale === 'x-rtl' ? 'en' : locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MyNumbers locale={locale} />
    </>
  )
}
