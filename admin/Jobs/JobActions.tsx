'use client'

import { Button, toast } from '@payloadcms/ui'
import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'

/** Retry (failed) or cancel (queued) through the admin-only jobs endpoints. */
export const JobActions = ({ id, state }: { id: string; state: string }) => {
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  const action = state === 'failed' ? 'retry' : state === 'queued' ? 'cancel' : undefined
  if (!action) return null
  const run = async () => {
    setBusy(true)
    try {
      const response = await fetch(`/api/jobs/${id}/${action}`, { method: 'POST', credentials: 'include' })
      const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] }
      if (!response.ok) toast.error(body.errors?.[0]?.message ?? `Could not ${action} the job.`)
      else toast.success(action === 'retry' ? 'The job will run again now.' : 'The job was cancelled.')
      router.refresh()
    } finally {
      setBusy(false)
    }
  }
  return (
    <Button buttonStyle={action === 'retry' ? 'primary' : 'secondary'} size="small" disabled={busy} onClick={run} aria-label={`${action === 'retry' ? 'Retry' : 'Cancel'} job ${id}`}>
      {action === 'retry' ? 'Retry' : 'Cancel'}
    </Button>
  )
}

/** Re-renders the server view every few seconds so running jobs and progress stay current. */
export const AutoRefresh = ({ seconds }: { seconds: number }) => {
  const router = useRouter()
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), seconds * 1000)
    return () => clearInterval(timer)
  }, [router, seconds])
  return null
}
