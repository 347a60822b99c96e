import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { PREVIEW_LOCALES, renderEmail, sampleData, TEMPLATE_LABELS, TEMPLATE_NAMES, type TemplateName } from '../../src/email/templates'
import { siteName } from '../../src/email/verification'
import { localeName } from '../../src/site/i18n'

/**
 * Admin → Email templates: every email in every site language, rendered with sample data. The HTML
 * part is shown in a sandboxed `srcdoc` frame (no scripts, its own opaque origin, the admin's CSP
 * inherited); the plain-text part beside it.
 */
export const TemplatesView = async ({ initPageResult, params, searchParams }: AdminViewServerProps) => {
  const { req, permissions, visibleEntities, locale } = initPageResult
  const template = { i18n: req.i18n, locale, params, payload: req.payload, permissions, searchParams, user: req.user ?? undefined, visibleEntities }
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/email-templates')}`)
  if (!hasRole(req.user, 'admin')) redirect('/admin/unauthorized')
  const serverURL = req.payload.config.serverURL ?? ''
  const site = siteName()
  return (
    <DefaultTemplate {...template}>
      <Gutter>
        <h1>Email templates</h1>
        <p>
          What Shrutik sends, in each language, with sample data. The wording comes from the site&apos;s translations (<code>email.*</code> in src/site/i18n). To check delivery, use
          &quot;Send a test email&quot; under Site settings.
        </p>
        {TEMPLATE_NAMES.map((name: TemplateName) => (
          <section key={name} data-email-template={name} style={{ marginBlock: 'calc(var(--base) * 2)' }}>
            <h2>{TEMPLATE_LABELS[name]}</h2>
            <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(22rem, 1fr))', gap: 'var(--base)' }}>
              {PREVIEW_LOCALES.map((previewLocale) => {
                const rendered = renderEmail(name, previewLocale, sampleData(serverURL, site, previewLocale)[name] as never)
                return (
                  <figure key={previewLocale} data-email-locale={previewLocale} style={{ margin: 0 }}>
                    <figcaption>
                      <strong>{localeName(previewLocale)}</strong> — subject: <span data-email-subject>{rendered.subject}</span>
                    </figcaption>
                    <iframe
                      title={`${TEMPLATE_LABELS[name]} (${localeName(previewLocale)})`}
                      sandbox=""
                      srcDoc={rendered.html}
                      style={{ width: '100%', height: '22rem', border: '1px solid var(--theme-elevation-150)', background: '#fff' }}
                    />
                    <details>
                      <summary>Plain text</summary>
                      <pre style={{ whiteSpace: 'pre-wrap' }}>{rendered.text}</pre>
                    </details>
                  </figure>
                )
              })}
            </div>
          </section>
        ))}
      </Gutter>
    </DefaultTemplate>
  )
}

export const TemplatesNavLink = ({ user }: { user?: unknown }) => {
  if (!hasRole(user, 'admin')) return null
  return (
    <a className="nav__link" href="/admin/email-templates" id="nav-email-templates" style={{ display: 'block', padding: '4px 0' }}>
      <span className="nav__link-label">Email templates</span>
    </a>
  )
}
