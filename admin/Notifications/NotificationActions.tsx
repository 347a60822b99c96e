'use client'

import { Button, toast } from '@payloadcms/ui'
import { useRouter } from 'next/navigation'
import { useState } from 'react'

const post = async (path: string, failure: string): Promise<boolean> => {
  const response = await fetch(path, { method: 'POST', credentials: 'include' })
  if (response.ok) return true
  const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] }
  toast.error(body.errors?.[0]?.message ?? failure)
  return false
}

/** Mark read / dismiss one notification through the admin-only endpoints. */
export const NotificationActions = ({ id, read }: { id: number; read: boolean }) => {
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  const run = async (action: 'read' | 'dismiss') => {
    setBusy(true)
    try {
      if (await post(`/api/notifications/${id}/${action}`, `Could not ${action === 'read' ? 'mark the notification read' : 'dismiss the notification'}.`)) router.refresh()
    } finally {
      setBusy(false)
    }
  }
  return (
    <div style={{ display: 'flex', gap: 8 }}>
      {!read && (
        <Button buttonStyle="secondary" size="small" disabled={busy} onClick={() => run('read')} aria-label={`Mark notification ${id} read`}>
          Mark read
        </Button>
      )}
      <Button buttonStyle="secondary" size="small" disabled={busy} onClick={() => run('dismiss')} aria-label={`Dismiss notification ${id}`}>
        Dismiss
      </Button>
    </div>
  )
}

export const MarkAllRead = () => {
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  return (
    <Button
      buttonStyle="primary"
      size="small"
      disabled={busy}
      onClick={async () => {
        setBusy(true)
        try {
          if (await post('/api/notifications/read-all', 'Could not mark the notifications read.')) router.refresh()
        } finally {
          setBusy(false)
        }
      }}
    >
      Mark all read
    </Button>
  )
}
