import { notFound } from 'next/navigation'

import { VerifyEmail } from '@/site/components/VerifyEmail'
import { isLocale, translator } from '@/site/i18n'

/** Where the verification email leads. */
export default async function VerifyPage({ params, searchParams }: { params: Promise<{ locale: string }>; searchParams: Promise<{ token?: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { token } = await searchParams
  return (
    <>
      <h1>{translator(locale)('profile.verifyTitle')}</h1>
      <VerifyEmail locale={locale} token={token ?? ''} />
    </>
  )
}
