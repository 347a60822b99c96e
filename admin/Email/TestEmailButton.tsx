'use client'

import { Button } from '@payloadcms/ui'
import { useState } from 'react'

/** Site settings: sends a test email to the signed-in admin and shows the mail server's answer. */
export const TestEmailButton = () => {
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ ok: boolean; message: string } | undefined>()
  const send = async () => {
    setBusy(true)
    setResult(undefined)
    try {
      const response = await fetch('/api/ops/test-email', { method: 'POST', credentials: 'include' })
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
      <p className="field-label">Email</p>
      <Button buttonStyle="secondary" size="small" disabled={busy} onClick={send}>
        {busy ? 'Sending…' : 'Send a test email to me'}
      </Button>
      <p role="status" aria-live="polite" data-test-email-result={result ? (result.ok ? 'ok' : 'error') : undefined} style={{ color: result && !result.ok ? 'var(--theme-error-500)' : undefined }}>
        {result?.message ?? ''}
      </p>
    </div>
  )
}
