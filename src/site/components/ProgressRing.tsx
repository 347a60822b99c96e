'use client'

import { useEffect, useMemo, useState } from 'react'

import { translator, type Locale } from '../i18n'

export interface MyProgress {
  week: { start: string; recorded: number; validated: number }
  allTime: { recorded: number; validated: number }
  goals: { recorded: number; validated: number }
  streak: { days: number; today: boolean }
  leaderboard: { canJoin: boolean; optIn: boolean; displayName: string | null }
}

/** The person's own progress (`null`: nobody yet — no consent and not signed in). */
export const useMyProgress = (refreshKey: unknown): MyProgress | null | undefined => {
  const [progress, setProgress] = useState<MyProgress | null | undefined>()
  useEffect(() => {
    let live = true
    void fetch('/api/site/me/progress', { credentials: 'include', cache: 'no-store' })
      .then(async (response) => (response.ok ? ((await response.json()) as MyProgress) : null))
      .catch(() => null)
      .then((value) => live && setProgress(value))
    return () => {
      live = false
    }
  }, [refreshKey])
  return progress
}

const SIZE = 64
const STROKE = 8
const RADIUS = (SIZE - STROKE) / 2
const CIRCUMFERENCE = 2 * Math.PI * RADIUS

/**
 * This week's clips against the weekly goal, as a ring (SVG) with its text equivalent: the image is
 * named ("7 of 20 clips recorded this week", role="img") and the same words are printed beside it
 * for sighted readers (hidden from screen readers, which hear the image's name once). Refreshes
 * when `refreshKey` changes (after each upload or vote).
 */
export const ProgressRing = ({ locale, kind, refreshKey }: { locale: Locale; kind: 'recorded' | 'validated'; refreshKey?: unknown }) => {
  const t = useMemo(() => translator(locale), [locale])
  const progress = useMyProgress(refreshKey)
  if (!progress) return null
  const done = progress.week[kind]
  const goal = progress.goals[kind]
  const label =
    goal > 0
      ? t(kind === 'recorded' ? 'goals.ringRecorded' : 'goals.ringValidated', { done, count: goal })
      : t(kind === 'recorded' ? 'goals.countRecorded' : 'goals.countValidated', { count: done })
  const share = goal > 0 ? Math.min(1, done / goal) : 0
  return (
    <div className="goal-ring" data-testid="goal-ring" data-done={done} data-goal={goal}>
      {goal > 0 && (
        <svg role="img" aria-label={label} width={SIZE} height={SIZE} viewBox={`0 0 ${SIZE} ${SIZE}`} className="goal-ring__svg">
          <circle cx={SIZE / 2} cy={SIZE / 2} r={RADIUS} fill="none" stroke="currentColor" strokeOpacity={0.15} strokeWidth={STROKE} />
          <circle
            cx={SIZE / 2}
            cy={SIZE / 2}
            r={RADIUS}
            fill="none"
            stroke="var(--color-accent, currentColor)"
            strokeWidth={STROKE}
            strokeLinecap="round"
            strokeDasharray={`${CIRCUMFERENCE * share} ${CIRCUMFERENCE}`}
            transform={`rotate(-90 ${SIZE / 2} ${SIZE / 2})`}
          />
        </svg>
      )}
      <div className="goal-ring__text">
        {/* The ring already says this to assistive technology; without a ring, this is the only text. */}
        <p data-testid="goal-ring-text" aria-hidden={goal > 0 ? true : undefined}>
          {label}
        </p>
        {goal > 0 && done >= goal && <p>{t('goals.reached')}</p>}
        {progress.streak.days > 0 && (
          <p>
            {t('goals.streak', { count: progress.streak.days })}
            {!progress.streak.today && <> — {t('goals.streakKeep')}</>}
          </p>
        )}
      </div>
    </div>
  )
}

/** "Your numbers" on the leaderboard page: everyone with a contributor id sees their own, listed or not. */
export const MyNumbers = ({ locale }: { locale: Locale }) => {
  const t = useMemo(() => translator(locale), [locale])
  const progress = useMyProgress(locale)
  if (!progress) return null
  return (
    <section className="card" aria-labelledby="my-numbers" data-testid="my-numbers">
      <h2 id="my-numbers">{t('leaderboard.yours')}</h2>
      <p>{t('leaderboard.yourWeek', { recorded: progress.week.recorded, validated: progress.week.validated })}</p>
      <p>{t('leaderboard.yourAll', { recorded: progress.allTime.recorded, validated: progress.allTime.validated })}</p>
      {progress.streak.days > 0 && <p>{t('goals.streak', { count: progress.streak.days })}</p>}
      {!progress.leaderboard.canJoin && <p>{t('leaderboard.signInToJoin')}</p>}
    </section>
  )
}
