'use client'

import { FieldLabel, useField } from '@payloadcms/ui'
import type { JSONFieldClientComponent } from 'payload'

/**
 * Read-only JSON written by the system, shown as text (for core and plugins alike). Payload's own JSON field loads the Monaco
 * editor from a CDN: blocked by our CSP, and unreachable on an offline server.
 */
export const ReadOnlyJson: JSONFieldClientComponent = ({ field, path }) => {
  const { value } = useField<unknown>({ path: path ?? field.name })
  return (
    <div className="field-type read-only-json" style={{ marginBottom: 'var(--base)' }}>
      <FieldLabel label={field.label ?? field.name} path={path} />
      <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12, margin: 0, padding: 8, background: 'var(--theme-elevation-50)', borderRadius: 4 }}>
        {value === null || value === undefined ? '—' : JSON.stringify(value, null, 2)}
      </pre>
    </div>
  )
}
