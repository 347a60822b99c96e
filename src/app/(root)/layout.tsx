import type React from 'react'

/** Only for `/`, which redirects to the site in its default language. */
export default function RootRedirectLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  )
}
