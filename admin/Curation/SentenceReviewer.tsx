'use client'

import { Banner, Button, Pill, SelectInput, TextInput, toast } from '@payloadcms/ui'
import { useCallback, useEffect, useState } from 'react'

import type { ImporterLanguage } from './SentenceImporter'

interface Pending {
  id: number
  text: string
  domain: string | null
  source: string | null
  approvals: number
  rejections: number
}

const errorOf = async (response: Response) => ((await response.json().catch(() => null)) as { errors?: { message: string }[] } | null)?.errors?.[0]?.message ?? `The server answered ${response.status}.`

/** Admin → Review sentences: pending sentences of a language, approved or rejected (with a reason) one by one. */
export const SentenceReviewer = ({ languages, approvalsNeeded }: { languages: ImporterLanguage[]; approvalsNeeded: Record<string, number> }) => {
  const [language, setLanguage] = useState(languages[0]?.code ?? '')
  const [sentences, setSentences] = useState<Pending[] | null>(null)
  const [reasons, setReasons] = useState<Record<number, string>>({})
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    if (!language) return
    setError(null)
    const response = await fetch(`/api/curation/review/next?language=${encodeURIComponent(language)}&limit=20`, { credentials: 'include' })
    if (!response.ok) return setError(await errorOf(response))
    setSentences(((await response.json()) as { sentences: Pending[] }).sentences)
  }, [language])

  useEffect(() => {
    void load()
  }, [load])

  const vote = async (sentence: Pending, approve: boolean) => {
    const reason = (reasons[sentence.id] ?? '').trim()
    if (!approve && !reason) return setError(`Say why sentence ${sentence.id} should be rejected.`)
    setError(null)
    const response = await fetch(`/api/curation/sentences/${sentence.id}/review`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(approve ? { approve } : { approve, reason }),
    })
    if (!response.ok) return setError(await errorOf(response))
    const outcome = (await response.json()) as { status: string }
    toast.success(outcome.status === 'pending' ? `Vote saved; sentence ${sentence.id} is still pending.` : `Sentence ${sentence.id} is now ${outcome.status}.`)
    setSentences((current) => current?.filter((item) => item.id !== sentence.id) ?? null)
  }

  return (
    <div id="sentence-review">
      <div style={{ maxWidth: 320, marginBottom: 16 }}>
        <SelectInput
          id="review-language"
          name="review-language"
          path="review-language"
          label="Language"
          isClearable={false}
          options={languages.map((item) => ({ label: `${item.name} (${item.code})`, value: item.code }))}
          value={language}
          onChange={(option) => setLanguage((option as { value?: string } | null)?.value ?? '')}
        />
      </div>
      <p>
        A sentence is approved after {approvalsNeeded[language] ?? 2} approvals that outnumber the rejections, and rejected after as many rejections (the consensus
        plugin&apos;s vote rule). Your vote on a sentence replaces your earlier one.
      </p>
      {error ? (
        <div role="alert">
          <Banner type="error">{error}</Banner>
        </div>
      ) : null}
      {sentences === null ? null : sentences.length === 0 ? (
        <p id="review-empty">Nothing left to review in this language.</p>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0 }}>
          {sentences.map((sentence) => (
            <li key={sentence.id} data-sentence={sentence.id} style={{ borderBottom: '1px solid var(--theme-elevation-100)', padding: '12px 0' }}>
              <p lang={language} style={{ fontSize: '1.2em', margin: '0 0 8px' }}>
                {sentence.text}
              </p>
              <p style={{ margin: '0 0 8px' }}>
                <Pill size="small">{sentence.domain || 'general'}</Pill> {sentence.source ? <Pill size="small">{sentence.source}</Pill> : null}{' '}
                <span>
                  {sentence.approvals} approval(s), {sentence.rejections} rejection(s) so far
                </span>
              </p>
              <div style={{ display: 'flex', gap: 8, alignItems: 'flex-end', flexWrap: 'wrap' }}>
                <Button buttonStyle="primary" size="small" margin={false} onClick={() => void vote(sentence, true)} aria-label={`Approve sentence ${sentence.id}`}>
                  Approve
                </Button>
                <div style={{ minWidth: 260 }}>
                  <TextInput
                    path={`reason-${sentence.id}`}
                    label="Reason to reject"
                    value={reasons[sentence.id] ?? ''}
                    onChange={(event: React.ChangeEvent<HTMLInputElement>) => setReasons({ ...reasons, [sentence.id]: event.target.value })}
                  />
                </div>
                <Button buttonStyle="secondary" size="small" margin={false} onClick={() => void vote(sentence, false)} aria-label={`Reject sentence ${sentence.id}`}>
                  Reject
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Button buttonStyle="secondary" size="small" onClick={() => void load()}>
        Load more
      </Button>
    </div>
  )
}
