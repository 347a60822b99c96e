import config from '@payload-config'
import { getPayload } from 'payload'

// Rendered per request: the language list comes from the database.
export const dynamic = 'force-dynamic'

/** Placeholder home page until the themed contributor site lands. */
export default async function Home() {
  const payload = await getPayload({ config })
  // Public data only: active languages, read with the anonymous visitor's access.
  const languages = await payload.find({
    collection: 'languages',
    where: { isActive: { equals: true } },
    depth: 0,
    limit: 50,
    sort: 'name',
    overrideAccess: false,
  })
  return (
    <main style={{ maxWidth: 640, margin: '0 auto', padding: '2rem 1rem' }}>
      <h1>Shrutik</h1>
      <p>Read sentences aloud in your language and help build open speech datasets that anyone can use.</p>
      <p>The contribution site is coming soon. Languages open for contribution:</p>
      <ul>
        {languages.docs.map((language) => (
          <li key={language.id} lang={String(language.code)}>
            {String(language.nativeName)} ({String(language.name)})
          </li>
        ))}
      </ul>
      <p>
        <a href="/admin">Admin</a>
      </p>
    </main>
  )
}
