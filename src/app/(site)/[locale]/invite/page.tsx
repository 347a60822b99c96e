import { notFound } from 'next/navigation'

import { AcceptInvitation } from '@/site/components/AcceptInvitation'
import { isLocale, translator } from '@/site/i18n'

/** Where an invitation email leads. */
export default async function InvitePage({ params, searchParams }: { params: Promise<{ locale: string }>; searchParams: Promise<{ token?: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { token } = await searchParams
  return (
    <>
      <h1>{translator(locale)('invite.title')}</h1>
      <AcceptInvitation locale={locale} token={token ?? ''} />
    </>
  )
}
