import { notFound } from 'next/navigation'

import { GoalSettings } from '@/site/components/GoalSettings'
import { Profile } from '@/site/components/Profile'
import { isLocale, translator } from '@/site/i18n'

/** Account, own counts, opt-in demographics, weekly goals and the leaderboard choice. */
export default async function ProfilePage({ params }: { params: Promise<{ locale: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  return (
    <>
      <h1>{translator(locale)('profile.title')}</h1>
      <Profile locale={locale} />
      <GoalSettings locale={locale} />
    </>
  )
}
