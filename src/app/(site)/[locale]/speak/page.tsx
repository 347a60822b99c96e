import config from '@payload-config'
import { notFound } from 'next/navigation'
import { getPayload } from 'payload'

import { Speak } from '@/site/components/Speak'
import { isLocale, translator } from '@/site/i18n'

export const dynamic = 'force-dynamic'

/** Prompt mode. The contribution language (?language=bn) is separate from the site language. */
export default async function SpeakPage({ params, searchParams }: { params: Promise<{ locale: string }>; searchParams: Promise<{ language?: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { language } = await searchParams
  const payload = await getPayload({ config })
  const languages = await payload.find({ collection: 'languages', where: { isActive: { equals: true } }, depth: 0, limit: 100, sort: 'name', overrideAccess: false })
  const t = translator(locale)
  return (
    <>
      <h1>{t('speak.title')}</h1>
      <Speak
        locale={locale}
        languages={languages.docs.map((doc) => ({ id: Number(doc.id), code: String(doc.code), nativeName: String(doc.nativeName) }))}
        initialLanguage={language ?? (locale === 'x-rtl' ? undefined : locale)}
      />
    </>
  )
}
