'use client'

import { Button, toast } from '@payloadcms/ui'
import { useRouter } from 'next/navigation'
import { useState } from 'react'

interface Props {
  segmentId: number
  kind: 'validation' | 'transcription'
  /** Prefilled transcript: the crowd's agreed text, or the prompt. */
  suggestedText: string | null
}

/** One-click Accept / Reject, and "accept with this transcript", through the decide endpoint (audited). */
export const ReviewActions = ({ segmentId, kind, suggestedText }: Props) => {
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  const [text, setText] = useState(suggestedText ?? '')
  const decide = async (decision: 'accepted' | 'rejected', withText?: string) => {
    setBusy(true)
    try {
      const response = await fetch(`/api/consensus/segments/${segmentId}/decide`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(withText === undefined ? { decision } : { decision, text: withText }),
      })
      const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] }
      if (!response.ok) toast.error(body.errors?.[0]?.message ?? 'The decision was not saved.')
      else toast.success(decision === 'accepted' ? `Segment ${segmentId} accepted.` : `Segment ${segmentId} rejected.`)
      router.refresh()
    } finally {
      setBusy(false)
    }
  }
  const needsText = kind === 'transcription'
  return (
    <div className="consensus-review-actions" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <label style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
        <span style={{ fontSize: 12, opacity: 0.8 }}>{needsText ? 'Transcript' : 'What was said (only if it differs from the prompt)'}</span>
        <textarea
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={2}
          aria-label={`Transcript of segment ${segmentId}`}
          style={{ width: '100%', font: 'inherit', padding: 6 }}
        />
      </label>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <Button
          buttonStyle="primary"
          size="small"
          disabled={busy || (needsText && text.trim() === '')}
          onClick={() => decide('accepted', text.trim() === '' || (!needsText && text.trim() === (suggestedText ?? '').trim()) ? undefined : text)}
          aria-label={`Accept segment ${segmentId}`}
        >
          Accept
        </Button>
        <Button buttonStyle="secondary" size="small" disabled={busy} onClick={() => decide('rejected')} aria-label={`Reject segment ${segmentId}`}>
          Reject
        </Button>
      </div>
    </div>
  )
}
