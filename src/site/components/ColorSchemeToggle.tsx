'use client'

import { useEffect, useState } from 'react'

const KEY = 'shrutik-color-scheme'
type Scheme = 'light' | 'dark' | 'system'

/** Runs before paint (inline in <head>): applies a saved light/dark choice without a flash. */
export const COLOR_SCHEME_SCRIPT = `try{var s=localStorage.getItem('${KEY}');if(s==='light'||s==='dark')document.documentElement.setAttribute('data-color-scheme',s)}catch(e){}`

/** Light and dark follow the system unless the visitor picks one here (kept in localStorage). */
export const ColorSchemeToggle = ({ labels }: { labels: { group: string; light: string; dark: string; system: string } }) => {
  const [scheme, setScheme] = useState<Scheme>('system')
  useEffect(() => {
    const saved = localStorage.getItem(KEY)
    if (saved === 'light' || saved === 'dark') setScheme(saved)
  }, [])
  const choose = (next: Scheme) => {
    setScheme(next)
    if (next === 'system') {
      localStorage.removeItem(KEY)
      document.documentElement.removeAttribute('data-color-scheme')
    } else {
      localStorage.setItem(KEY, next)
      document.documentElement.setAttribute('data-color-scheme', next)
    }
  }
  return (
    <div role="group" aria-label={labels.group} className="scheme-toggle">
      {(['light', 'dark', 'system'] as const).map((option) => (
        <button key={option} type="button" aria-pressed={scheme === option} onClick={() => choose(option)}>
          {labels[option]}
        </button>
      ))}
    </div>
  )
}
