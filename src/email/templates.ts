import { isLocale, REAL_LOCALES, translator, type Locale, type MessageKey } from '../site/i18n'

/**
 * Every email Shrutik writes, in each site language, as plain text and HTML from the same lines.
 * Strings live in the site's i18n (src/site/i18n, `email.*`); values are escaped in the HTML part.
 * Admin → Email templates renders each one with the sample data below.
 */

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

export interface TemplateData {
  verification: { site: string; link: string }
  invitation: { site: string; link: string; inviter: string; role: string }
  'weekly-summary': { site: string; recorded: number; validated: number; sinceLast: boolean; siteLink: string; unsubscribeLink: string }
  test: { site: string; url: string }
}

export type TemplateName = keyof TemplateData

export const TEMPLATE_NAMES: TemplateName[] = ['verification', 'invitation', 'weekly-summary', 'test']

export const TEMPLATE_LABELS: Record<TemplateName, string> = {
  verification: 'Address verification (on sign-up)',
  invitation: 'Invitation (an admin invites a reviewer, exporter or admin)',
  'weekly-summary': 'Weekly summary (opt-in; with an unsubscribe link)',
  test: 'Test email (Site settings → Send a test email)',
}

export const localeOrDefault = (value: unknown): Locale => (isLocale(value) && value !== 'x-rtl' ? value : 'en')

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** A line of text, or a line followed by a link (shown in full: some mail clients drop anchors). */
type Block = string | { line: string; link: string }

const compose = (locale: Locale, subject: string, blocks: Block[], site: string): RenderedEmail => {
  const t = translator(locale)
  const all: Block[] = [t('email.greeting'), ...blocks, t('email.signature', { site })]
  const text = all.map((block) => (typeof block === 'string' ? block : `${block.line}\n${block.link}`)).join('\n\n')
  const body = all
    .map((block) =>
      typeof block === 'string'
        ? `<p>${escapeHtml(block)}</p>`
        : `<p>${escapeHtml(block.line)}<br><a href="${escapeHtml(block.link)}">${escapeHtml(block.link)}</a></p>`,
    )
    .join('\n')
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36rem">\n${body}\n</body></html>`
  return { subject, text, html }
}

const ROLE_NAMES: Record<string, MessageKey> = {
  admin: 'email.role.admin',
  reviewer: 'email.role.reviewer',
  exporter: 'email.role.exporter',
  contributor: 'email.role.contributor',
}
export const roleName = (locale: Locale, role: string): string => (ROLE_NAMES[role] ? translator(locale)(ROLE_NAMES[role]) : role)

export const renderEmail = <Name extends TemplateName>(name: Name, locale: Locale, data: TemplateData[Name]): RenderedEmail => {
  const t = translator(locale)
  switch (name) {
    case 'verification': {
      const { site, link } = data as TemplateData['verification']
      return compose(locale, t('email.verifySubject'), [{ line: t('email.verifyBody', { site }), link }, t('email.verifyWhy'), t('email.verifyIgnore')], site)
    }
    case 'invitation': {
      const { site, link, inviter, role } = data as TemplateData['invitation']
      return compose(
        locale,
        t('email.inviteSubject', { site }),
        [{ line: t('email.inviteBody', { site, inviter, role: roleName(locale, role) }), link }, t('email.inviteIgnore')],
        site,
      )
    }
    case 'weekly-summary': {
      const { site, recorded, validated, sinceLast, siteLink, unsubscribeLink } = data as TemplateData['weekly-summary']
      return compose(
        locale,
        t('email.summarySubject', { site }),
        [
          t('email.summaryRecorded', { count: recorded }),
          t(sinceLast ? 'email.summaryValidated' : 'email.summaryValidatedSoFar', { count: validated }),
          { line: t('email.summaryThanks'), link: siteLink },
          { line: t('email.unsubscribeLine'), link: unsubscribeLink },
        ],
        site,
      )
    }
    case 'test': {
      const { site, url } = data as TemplateData['test']
      return compose(locale, t('email.testSubject', { site }), [t('email.testBody', { site, url })], site)
    }
    default:
      throw new Error(`Unknown email template "${String(name)}".`)
  }
}

/** Sample data for the admin's preview: what each template looks like with realistic values. */
export const sampleData = (serverURL: string, site: string, locale: Locale): { [Name in TemplateName]: TemplateData[Name] } => ({
  verification: { site, link: `${serverURL}/${locale}/profile/verify?token=sample-token` },
  invitation: { site, link: `${serverURL}/${locale}/invite?token=sample-token`, inviter: 'admin@example.org', role: 'reviewer' },
  'weekly-summary': {
    site,
    recorded: 12,
    validated: 37,
    sinceLast: true,
    siteLink: `${serverURL}/${locale}/speak`,
    unsubscribeLink: `${serverURL}/api/email/unsubscribe?token=sample-token`,
  },
  test: { site, url: serverURL },
})

export const PREVIEW_LOCALES = REAL_LOCALES
