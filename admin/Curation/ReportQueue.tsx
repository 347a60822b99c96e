'use client'

import { Banner, Button, Pill, SelectInput, toast } from '@payloadcms/ui'
import { useCallback, useEffect, useState } from 'react'

import type { ImporterLanguage } from './SentenceImporter'

interface Reported {
  id: number
  text: string
  status: string
  language: string
  recordingCount: number
  reports: number
  reasons: Record<string, number>
}

const REASONS: Record<string, string> = {
  offensive: 'Offensive',
  'grammar-spelling': 'Grammar or spelling',
  'different-language': 'Different language',
  'hard-to-pronounce': 'Hard to pronounce',
}

const errorOf = async (response: Response) => ((await response.json().catch(() => null)) as { errors?: { message: string }[] } | null)?.errors?.[0]?.message ?? `The server answered ${response.status}.`

/** Admin → Reported sentences: what contributors reported, most reported first; retire or keep each. */
export const ReportQueue = ({ languages }: { languages: ImporterLanguage[] }) => {
  const [language, setLanguage] = useState('')
  const [sentences, setSentences] = useState<Reported[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    setError(null)
    const response = await fetch(`/api/curation/reports?limit=50${language ? `&language=${encodeURIComponent(language)}` : ''}`, { credentials: 'include' })
    if (!response.ok) return setError(await errorOf(response))
    setSentences(((await response.json()) as { sentences: Reported[] }).sentences)
  }, [language])

  useEffect(() => {
    void load()
  }, [load])

  const decide = async (sentence: Reported, action: 'retire' | 'keep') => {
    setError(null)
    const response = await fetch(`/api/curation/sentences/${sentence.id}/reports`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action }),
    })
    if (!response.ok) return setError(await errorOf(response))
    toast.success(action === 'retire' ? `Sentence ${sentence.id} is retired; its recordings keep it.` : `Sentence ${sentence.id} is kept; its reports are closed.`)
    setSentences((current) => current?.filter((item) => item.id !== sentence.id) ?? null)
  }

  return (
    <div id="report-queue">
      <div style={{ maxWidth: 320, marginBottom: 16 }}>
        <SelectInput
          id="reports-language"
          name="reports-language"
          path="reports-language"
          label="Language"
          isClearable={false}
          options={[{ label: 'All languages', value: '' }, ...languages.map((item) => ({ label: `${item.name} (${item.code})`, value: item.code }))]}
          value={language}
          onChange={(option) => setLanguage((option as { value?: string } | null)?.value ?? '')}
        />
      </div>
      <p>Retiring a sentence stops serving it; it is never deleted, and recordings of it keep it. Keeping it closes its reports.</p>
      {error ? (
        <div role="alert">
          <Banner type="error">{error}</Banner>
        </div>
      ) : null}
      {sentences === null ? null : sentences.length === 0 ? (
        <p id="reports-empty">No open reports.</p>
      ) : (
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <thead>
            <tr>
              {['Sentence', 'Language', 'Reports', 'Recordings', 'Status', ''].map((title) => (
                <th key={title} scope="col" style={{ textAlign: 'left', padding: '6px 8px', borderBottom: '1px solid var(--theme-elevation-150)' }}>
                  {title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sentences.map((sentence) => (
              <tr key={sentence.id} data-sentence={sentence.id}>
                <td lang={sentence.language} style={{ padding: '6px 8px' }}>
                  <a href={`/admin/collections/sentences/${sentence.id}`}>{sentence.text}</a>
                </td>
                <td style={{ padding: '6px 8px' }}>{sentence.language}</td>
                <td style={{ padding: '6px 8px' }}>
                  {Object.entries(sentence.reasons).map(([reason, count]) => (
                    <Pill key={reason} size="small">
                      {REASONS[reason] ?? reason}: {count}
                    </Pill>
                  ))}
                </td>
                <td style={{ padding: '6px 8px' }}>{sentence.recordingCount}</td>
                <td style={{ padding: '6px 8px' }}>{sentence.status}</td>
                <td style={{ padding: '6px 8px', whiteSpace: 'nowrap' }}>
                  <Button buttonStyle="secondary" size="small" margin={false} onClick={() => void decide(sentence, 'retire')} aria-label={`Retire sentence ${sentence.id}`}>
                    Retire
                  </Button>{' '}
                  <Button buttonStyle="secondary" size="small" margin={false} onClick={() => void decide(sentence, 'keep')} aria-label={`Keep sentence ${sentence.id}`}>
                    Keep
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
