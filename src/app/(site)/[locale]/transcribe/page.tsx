import config from '@payload-config'
import { notFound } from 'next/navigation'
import { getPayload } from 'payload'

import { Judge } from '@/site/components/Judge'
import { isLocale, translator } from '@/site/i18n'

export const dynamic = 'force-dynamic'

/** Write what segments of long recordings say (served by the consensus plugin). */
export default async function TranscribePage({ params, searchParams }: { params: Promise<{ locale: string }>; searchParams: Promise<{ language?: string }> }) {
  const { locale } = await params
  if (!isLocale(locale)) notFound()
  const { language } = await searchParams
  const payload = await getPayload({ config })
  const languages = await payload.find({ collection: 'languages', where: { isActive: { equals: true } }, depth: 0, limit: 100, sort: 'name', overrideAccess: false })
  return (
    <>
      <h1>{translator(locale)('transcribe.title')}</h1>
      <Judge
        task="transcribe"
        locale={locale}
        languages={languages.docs.map((doc) => ({ id: Number(doc.id), code: String(doc.code), nativeName: String(doc.nativeName) }))}
        initialLanguage={language ?? (locale === 'x-rtl' ? undefined : locale)}
      />
    </>
  )
}
