import { notFound } from 'next/navigation'
import type React from 'react'

import { ColorSchemeToggle, COLOR_SCHEME_SCRIPT } from '@/site/components/ColorSchemeToggle'
import { direction, isLocale, localeName, publicLocales, translator, type Locale } from '@/site/i18n'
import { loadSiteSettings } from '@/site/settings'
import { themeByName, themeCss } from '@/site/themes'

import './site.css'

export const dynamic = 'force-dynamic'

export const metadata = {
  title: 'Shrutik — read aloud, build open speech data',
  description: 'A community platform for collecting open speech datasets in under-served languages.',
}

export const viewport = { width: 'device-width', initialScale: 1 }

/**
 * The public site's shell: locale from the URL (its text direction too), the admin-chosen theme's
 * tokens, and the theme's header slot or the built-in header. Themes only change the look.
 */
export default async function SiteLayout({ children, params }: { children: React.ReactNode; params: Promise<{ locale: string }> }) {
  const { locale } = await params
  if (!isLocale(locale) || !publicLocales().includes(locale)) notFound()
  const settings = await loadSiteSettings()
  const theme = themeByName(settings.themeName)
  const t = translator(locale)
  const nav = [
    { href: `/${locale}`, label: t('nav.home') },
    { href: `/${locale}/speak`, label: t('nav.speak') },
    { href: `/${locale}/speak/long`, label: t('nav.long') },
    { href: `/${locale}/listen`, label: t('nav.listen') },
    { href: `/${locale}/transcribe`, label: t('nav.transcribe') },
    ...(settings.contributorsReviewSentences ? [{ href: `/${locale}/review`, label: t('nav.review') }] : []),
    { href: `/${locale}/leaderboard`, label: t('nav.leaderboard') },
    { href: `/${locale}/profile`, label: t('nav.profile') },
  ].map((item) => ({ ...item, current: false }))
  const controls = (
    <>
      <nav aria-label={t('nav.language')} className="site-locales">
        {publicLocales().map((code: Locale) => (
          <a key={code} href={`/${code}`} lang={code === 'x-rtl' ? 'en' : code} hrefLang={code} aria-current={code === locale ? 'true' : undefined}>
            {localeName(code)}
          </a>
        ))}
      </nav>
      <ColorSchemeToggle labels={{ group: t('nav.theme'), light: t('theme.light'), dark: t('theme.dark'), system: t('theme.system') }} />
    </>
  )
  const Header = theme.slots?.Header
  return (
    <html lang={locale === 'x-rtl' ? 'en' : locale} dir={direction(locale)} data-theme={theme.name} suppressHydrationWarning>
      <head>
        <style data-theme-tokens={theme.name}>{themeCss(theme, settings.accentColor)}</style>
        <script dangerouslySetInnerHTML={{ __html: COLOR_SCHEME_SCRIPT }} />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t('nav.skip')}
        </a>
        {Header ? (
          <Header siteName={settings.siteName} logoUrl={settings.logoUrl} nav={nav} controls={controls} />
        ) : (
          <header className="site-header">
            <a className="site-header__brand" href={`/${locale}`}>
              {settings.logoUrl ? <img src={settings.logoUrl} alt="" height={32} /> : null}
              <span>{settings.siteName}</span>
            </a>
            <nav aria-label="Main" className="site-nav">
              {nav.map((item) => (
                <a key={item.href} href={item.href} className="site-nav__link">
                  {item.label}
                </a>
              ))}
            </nav>
            <div className="site-header__controls">{controls}</div>
          </header>
        )}
        <main id="main" className="site-main">
          {children}
        </main>
        <footer className="site-footer">
          <a href={`/${locale}/about/terms`}>{t('nav.terms')}</a>
        </footer>
      </body>
    </html>
  )
}
