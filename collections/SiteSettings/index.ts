import type { GlobalConfig } from 'payload'

import { anyone, isAdmin } from '../../src/access'

interface SiteSettingsOptions {
  /** The themes an admin may choose from (the site's theme registry). */
  themes: { name: string; label: string }[]
  /** The site's public locales (the default one is chosen among them). */
  locales: readonly string[]
}

/** What the NGO sets for its public site: look (theme, logo, accent) and name; behaviour never changes. */
export const createSiteSettings = ({ themes, locales }: SiteSettingsOptions): GlobalConfig => ({
  slug: 'site-settings',
  label: 'Site settings',
  admin: { group: 'Site' },
  access: { read: anyone, update: isAdmin },
  fields: [
    { name: 'siteName', type: 'text', required: true, defaultValue: 'Shrutik', maxLength: 80 },
    {
      name: 'theme',
      type: 'select',
      required: true,
      defaultValue: 'default',
      options: themes.map((theme) => ({ label: theme.label, value: theme.name })),
      admin: { description: 'Changes colours, type and layout of the public site; never what it does.' },
    },
    {
      name: 'accentColor',
      type: 'text',
      admin: { description: 'Optional brand colour as #rrggbb (light mode buttons and links).' },
      validate: (value: unknown) => !value || /^#[0-9a-f]{6}$/i.test(String(value)) || 'Use a colour like #0a7d55.',
    },
    { name: 'logo', type: 'upload', relationTo: 'media', admin: { description: 'PNG, JPEG or WebP; shown 48 px high.' } },
    {
      name: 'defaultLocale',
      type: 'select',
      required: true,
      defaultValue: 'en',
      options: locales.map((locale) => ({ label: locale, value: locale })),
    },
    {
      name: 'contributorsReviewSentences',
      type: 'checkbox',
      defaultValue: false,
      admin: { description: 'Let contributors approve or reject pending sentences on the site ("Review sentences").' },
    },
    {
      name: 'reviewersImportSentences',
      type: 'checkbox',
      defaultValue: false,
      admin: { description: 'Let reviewers import sentence files (admins always can).' },
    },
    // Checks SMTP_URL at once (POST /api/ops/test-email, admins only); stores nothing.
    { name: 'testEmail', type: 'ui', admin: { position: 'sidebar', components: { Field: '/admin/Email/TestEmailButton#TestEmailButton' } } },
  ],
})
