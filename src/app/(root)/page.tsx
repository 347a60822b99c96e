import { redirect } from 'next/navigation'

import { loadSiteSettings } from '@/site/settings'

export const dynamic = 'force-dynamic'

/** `/` → the site in the language the admin set as default. */
export default async function RootPage() {
  redirect(`/${(await loadSiteSettings()).defaultLocale}`)
}
