import type { HeaderSlotProps } from '@shrutik/plugin-sdk/theme'

/** A header that stacks: site name on its own line in large type, then big navigation buttons. */
export const HighContrastHeader = ({ siteName, logoUrl, nav, controls }: HeaderSlotProps) => (
  <header className="site-header site-header--stacked" data-theme-slot="high-contrast-header">
    <div className="site-header__brand" style={{ fontSize: '1.6em', fontWeight: 800 }}>
      {logoUrl ? <img src={logoUrl} alt="" height={48} style={{ verticalAlign: 'middle', marginInlineEnd: '0.5em' }} /> : null}
      {siteName}
    </div>
    <nav aria-label="Main" className="site-nav site-nav--buttons">
      {nav.map((item) => (
        <a key={item.href} href={item.href} aria-current={item.current ? 'page' : undefined} className="site-nav__link">
          {item.label}
        </a>
      ))}
    </nav>
    <div className="site-header__controls">{controls}</div>
  </header>
)
