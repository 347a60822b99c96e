'use client'

import { Button, useDocumentInfo } from '@payloadcms/ui'
import { useState } from 'react'

/** Invitations: a new link (7 more days; the old one stops working), sent again to the invited address. */
export const ResendInvitationButton = () => {
  const { id } = useDocumentInfo()
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ ok: boolean; message: string } | undefined>()
  if (id === undefined || id === null) return null
  const resend = async () => {
    setBusy(true)
    setResult(undefined)
    try {
      const response = await fetch(`/api/invitations/${encodeURIComponent(String(id))}/resend`, { method: 'POST', credentials: 'include' })
      const body = (await response.json().catch(() => ({}))) as { message?: string; errors?: { message: string }[] }
      setResult({ ok: response.ok, message: body.message ?? body.errors?.[0]?.message ?? `The server answered ${response.status}.` })
    } catch {
      setResult({ ok: false, message: 'The server could not be reached.' })
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="field-type" style={{ marginBlock: 'var(--base)' }}>
      <Button buttonStyle="secondary" size="small" disabled={busy} onClick={resend}>
        {busy ? 'Sending…' : 'Resend invitation'}
      </Button>
      <p role="status" aria-live="polite" style={{ color: result && !result.ok ? 'var(--theme-error-500)' : undefined }}>
        {result?.message ?? ''}
      </p>
    </div>
  )
}
