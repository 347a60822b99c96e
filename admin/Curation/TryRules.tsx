'use client'

import { useAllFormFields } from '@payloadcms/ui'
import { useState } from 'react'

interface Failure {
  rule: string
  message: string
}

const RULE_FIELDS = ['minWords', 'maxWords', 'minCharacters', 'maxCharacters', 'allowedCharacters', 'allowedScripts', 'bannedSymbols', 'allowDigits', 'allowAbbreviations', 'abbreviations', 'terminalPunctuation']

/** "Try a sentence" under a language's rules: checks it against the rules as edited, before saving. */
export const TryRules = () => {
  const [fields] = useAllFormFields()
  const [text, setText] = useState('')
  const [result, setResult] = useState<{ ok: boolean; failures: Failure[]; rulesProblem: string | null; normalized: string } | { error: string } | null>(null)

  const check = async () => {
    const rules = Object.fromEntries(RULE_FIELDS.map((name) => [name, fields[`sentenceRules.${name}`]?.value ?? null]))
    const response = await fetch('/api/curation/try-rules', {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text, rules }),
    })
    const body = await response.json()
    setResult(response.ok ? body : { error: body?.errors?.[0]?.message ?? `Error ${response.status}` })
  }

  return (
    <div className="field-type" style={{ marginBottom: 24 }} id="try-rules">
      <label className="field-label" htmlFor="try-rules-text">
        Try a sentence
      </label>
      <div style={{ display: 'flex', gap: 8 }}>
        <input id="try-rules-text" type="text" value={text} onChange={(event) => setText(event.target.value)} style={{ flex: 1, padding: 8 }} />
        <button type="button" className="btn btn--style-secondary btn--size-small" onClick={() => void check()} style={{ margin: 0 }}>
          Check
        </button>
      </div>
      {result && 'error' in result && <p role="alert">{result.error}</p>}
      {result && !('error' in result) && (
        <div role="status" style={{ marginTop: 8 }}>
          {result.rulesProblem && <p>These rules cannot be used: {result.rulesProblem}</p>}
          {result.ok ? (
            <p>✓ Passes every rule.</p>
          ) : (
            <ul>
              {result.failures.map((failure) => (
                <li key={failure.rule}>
                  <strong>{failure.rule}</strong>: {failure.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  )
}
