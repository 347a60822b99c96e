import { notFound } from 'next/navigation'

import { ResetPassword } from '@/site/components/ResetPassword'
import { isLocale, translator } from '@/site/i18n'

/** Where the password-reset email leads. */
export default async function ResetPage({ params, searchParams }: { params: Promise<{ locale: string }>; searchParams: Promise<{ token?: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { token } = await searchParams
  return (
    <>
      <h1>{translator(locale)('profile.reset')}</h1>
      <ResetPassword locale={locale} token={token ?? ''} />
    </>
  )
}
