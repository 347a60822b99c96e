import type React from 'react'

export const metadata = {
  title: 'Shrutik — read aloud, build open speech data',
  description: 'A community platform for collecting open speech datasets in under-served languages.',
}

export default function SiteLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: 0, lineHeight: 1.5 }}>{children}</body>
    </html>
  )
}
