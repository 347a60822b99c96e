'use client'

import { Banner, Button, CheckboxInput, Dropzone, Pill, SelectInput, TextInput } from '@payloadcms/ui'
import { parse } from 'csv-parse/browser/esm/sync'
import { useEffect, useMemo, useState } from 'react'

import { firstRefusals, guessColumns, previewText, type ColumnRole, type FileFormat } from './importPreview'

export interface ImporterLanguage {
  id: number
  code: string
  name: string
}

interface ImportDoc {
  id: number
  state?: string
  progress?: number
  lines?: number
  accepted?: number
  refused?: number
  duplicates?: number
  alreadyPresent?: number
  error?: string | null
}

type ReportRow = Record<'line' | 'outcome' | 'rule' | 'message' | 'sentence' | 'language', string>

const PREVIEW_BYTES = 64 * 1024
const PREVIEW_ROWS = 5
const REPORT_ROWS = 50
const LICENCES = ['CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'public-domain']
const LANGUAGE_FROM_COLUMN = 'column'
const ROLES: { role: ColumnRole; label: string; required?: boolean }[] = [
  { role: 'sentence', label: 'Sentence', required: true },
  { role: 'source', label: 'Source' },
  { role: 'domain', label: 'Domain' },
  { role: 'licence', label: 'Licence' },
]

const formatOf = (name: string): FileFormat | undefined => /\.(txt|csv|tsv)$/iu.exec(name)?.[1]?.toLowerCase() as FileFormat | undefined

const percentBar = (label: string, percent: number, id: string) => (
  <div style={{ margin: '8px 0 16px' }}>
    <div id={`${id}-label`}>
      {label}: {Math.round(percent)} %
    </div>
    <div
      id={id}
      role="progressbar"
      aria-labelledby={`${id}-label`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(percent)}
      style={{ height: 10, background: 'var(--theme-elevation-100)', borderRadius: 5, maxWidth: 480 }}
    >
      <div style={{ width: `${Math.max(0, Math.min(100, percent))}%`, height: '100%', background: 'var(--theme-success-500)', borderRadius: 5 }} />
    </div>
  </div>
)

/**
 * Admin → Sentences → Import: choose a file (or paste), see its first rows under their headers, map
 * the columns, then watch the upload and the import job, and read or download the report.
 */
export const SentenceImporter = ({ languages, mayApprove }: { languages: ImporterLanguage[]; mayApprove: boolean }) => {
  const [file, setFile] = useState<File | null>(null)
  const [pasted, setPasted] = useState('')
  const [head, setHead] = useState('')
  const [hasHeader, setHasHeader] = useState(true)
  const [columns, setColumns] = useState<Partial<Record<ColumnRole | 'language', string>>>({})
  const [language, setLanguage] = useState<string>(languages[0] ? String(languages[0].id) : '')
  const [defaults, setDefaults] = useState({ source: '', domain: 'general', licence: 'CC0-1.0' })
  const [status, setStatus] = useState<'pending' | 'approved'>('pending')
  const [uploadPercent, setUploadPercent] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [doc, setDoc] = useState<ImportDoc | null>(null)
  const [report, setReport] = useState<ReportRow[] | null>(null)

  const format: FileFormat = file ? (formatOf(file.name) ?? 'txt') : 'txt'
  const delimited = format !== 'txt'

  // The first rows, parsed as the import will parse them (csv-parse; its browser build).
  const preview = useMemo(() => {
    if (!head) return { header: [] as string[], rows: [] as string[][], problem: null as string | null }
    if (!delimited) return { header: [], rows: head.split('\n').filter((line) => line.trim()).slice(0, PREVIEW_ROWS).map((line) => [line]), problem: null }
    try {
      const records = parse(head, { delimiter: format === 'csv' ? ',' : '\t', relax_column_count: true, relax_quotes: format === 'tsv', quote: format === 'csv' ? '"' : false, skip_empty_lines: true, to: PREVIEW_ROWS + 1 }) as string[][]
      const width = Math.max(0, ...records.map((record) => record.length))
      const header = hasHeader ? (records[0] ?? []) : Array.from({ length: width }, (_, i) => String(i + 1))
      return { header, rows: records.slice(hasHeader ? 1 : 0, (hasHeader ? 1 : 0) + PREVIEW_ROWS), problem: null }
    } catch (problem) {
      return { header: [], rows: [], problem: `The first rows cannot be read as ${format.toUpperCase()}: ${(problem as Error).message}` }
    }
  }, [head, delimited, format, hasHeader])

  // A new file or header choice: guess the columns from the header names.
  useEffect(() => {
    if (delimited) setColumns(guessColumns(preview.header, hasHeader))
  }, [delimited, preview.header, hasHeader])

  useEffect(() => {
    if (columns.language) setLanguage(LANGUAGE_FROM_COLUMN)
  }, [columns.language])

  const choose = async (files: FileList | null) => {
    const chosen = files?.[0]
    setError(null)
    setDoc(null)
    setReport(null)
    if (!chosen) return
    if (!formatOf(chosen.name)) {
      setFile(null)
      setHead('')
      setError(`Choose a .txt (one sentence a line), .csv or .tsv file, not "${chosen.name}".`)
      return
    }
    setFile(chosen)
    setHead(previewText(await chosen.slice(0, PREVIEW_BYTES).text(), chosen.size <= PREVIEW_BYTES))
  }

  const columnOptions = [{ label: '—', value: '' }, ...preview.header.map((name, i) => ({ label: hasHeader ? name || `(column ${i + 1})` : `Column ${name}`, value: name || String(i + 1) }))]
  const running = uploadPercent !== null || (doc !== null && doc.state !== 'done' && doc.state !== 'failed')

  const poll = async (id: number) => {
    for (;;) {
      const response = await fetch(`/api/sentence-imports/${id}?depth=0`, { credentials: 'include' })
      if (response.ok) {
        const next = (await response.json()) as ImportDoc
        setDoc(next)
        if (next.state === 'done') {
          // The report lists every line; the screen shows the first lines that were not accepted.
          const reportResponse = await fetch(`/api/curation/imports/${id}/report`, { credentials: 'include' })
          setReport(reportResponse.ok && reportResponse.body ? ((await firstRefusals(reportResponse.body, REPORT_ROWS)) as ReportRow[]) : [])
          return
        }
        if (next.state === 'failed') return
      }
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }

  const start = () => {
    setError(null)
    setDoc(null)
    setReport(null)
    if (!file && !pasted.trim()) return setError('Choose a file or paste some sentences.')
    if (delimited && file && !columns.sentence) return setError('Choose the column that holds the sentences.')
    if (language === LANGUAGE_FROM_COLUMN ? !columns.language : !language) return setError('Choose a language, or the column that holds each sentence’s language code.')
    const data: Record<string, unknown> = {
      format: file ? format : 'txt',
      hasHeader,
      sentenceColumn: columns.sentence || 'sentence',
      languageColumn: language === LANGUAGE_FROM_COLUMN ? columns.language : undefined,
      sourceColumn: columns.source || undefined,
      domainColumn: columns.domain || undefined,
      licenceColumn: columns.licence || undefined,
      language: language === LANGUAGE_FROM_COLUMN ? undefined : Number(language),
      source: defaults.source || undefined,
      domain: defaults.domain || 'general',
      licence: defaults.licence,
      sentenceStatus: status,
      ...(file ? {} : { pastedText: pasted }),
    }
    const form = new FormData()
    form.append('_payload', JSON.stringify(data))
    if (file) form.append('file', file)
    // XMLHttpRequest, not fetch: only it reports upload progress.
    const request = new XMLHttpRequest()
    request.open('POST', '/api/sentence-imports')
    request.withCredentials = true
    request.upload.onprogress = (event) => event.lengthComputable && setUploadPercent((event.loaded / event.total) * 100)
    request.onerror = () => {
      setUploadPercent(null)
      setError('The upload failed: the server could not be reached.')
    }
    request.onload = () => {
      setUploadPercent(null)
      const body = JSON.parse(request.responseText || '{}') as { doc?: ImportDoc; errors?: { message: string; data?: { errors?: { message: string }[] } }[] }
      if (request.status >= 400 || !body.doc) {
        const first = body.errors?.[0]
        return setError(first?.data?.errors?.[0]?.message ?? first?.message ?? `The server answered ${request.status}.`)
      }
      setDoc(body.doc)
      void poll(body.doc.id)
    }
    setUploadPercent(0)
    request.send(form)
  }

  return (
    <div id="sentence-importer" style={{ maxWidth: 960 }}>
      <p>
        A <code>.txt</code> file holds one sentence a line; a <code>.csv</code> or <code>.tsv</code> file holds a sentence column and, optionally, source, domain,
        licence and language columns. Files are read as UTF-8. Sentences already in the corpus (in any Unicode spelling) are not added twice.
      </p>
      <Dropzone onChange={(files) => void choose(files)} disabled={running}>
        <div style={{ padding: 16 }}>
          <label htmlFor="import-file">Drop a file here or choose one: </label>
          <input id="import-file" type="file" accept=".txt,.csv,.tsv,text/plain,text/csv,text/tab-separated-values" disabled={running} onChange={(event) => void choose(event.target.files)} />
          {file ? (
            <p>
              <Pill>{format.toUpperCase()}</Pill> {file.name} ({(file.size / 1024).toLocaleString('en', { maximumFractionDigits: 1 })} KB)
            </p>
          ) : null}
        </div>
      </Dropzone>
      {!file ? (
        <div style={{ marginTop: 12 }}>
          <label htmlFor="import-paste">Or paste sentences, one a line</label>
          <textarea id="import-paste" rows={5} value={pasted} onChange={(event) => setPasted(event.target.value)} style={{ width: '100%' }} disabled={running} />
        </div>
      ) : null}

      {preview.problem ? <Banner type="error">{preview.problem}</Banner> : null}
      {preview.rows.length > 0 ? (
        <section aria-label="Preview of the file" style={{ marginTop: 16 }}>
          <h3>First rows</h3>
          {delimited ? <CheckboxInput id="import-has-header" label="The first row names the columns" checked={hasHeader} onToggle={(event) => setHasHeader(event.target.checked)} /> : null}
          <div style={{ overflowX: 'auto' }}>
            <table id="import-preview" className="table" style={{ borderCollapse: 'collapse', marginTop: 8 }}>
              {delimited ? (
                <thead>
                  <tr>
                    {preview.header.map((name, i) => (
                      <th key={i} scope="col" style={{ textAlign: 'left', padding: '4px 8px', borderBottom: '1px solid var(--theme-elevation-150)' }}>
                        {hasHeader ? name : `Column ${name}`}
                      </th>
                    ))}
                  </tr>
                </thead>
              ) : null}
              <tbody>
                {preview.rows.map((row, r) => (
                  <tr key={r}>
                    {row.map((value, c) => (
                      <td key={c} style={{ padding: '4px 8px', borderBottom: '1px solid var(--theme-elevation-100)', maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                        {value}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section aria-label="Columns and defaults" style={{ marginTop: 16, display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: 16 }}>
        {delimited
          ? ROLES.map(({ role, label, required }) => (
              <SelectInput
                key={role}
                id={`import-column-${role}`}
                name={`column-${role}`}
                path={`column-${role}`}
                label={`${label} column`}
                required={required}
                options={columnOptions}
                value={columns[role] ?? ''}
                isClearable={false}
                onChange={(option) => setColumns((current) => ({ ...current, [role]: (option as { value?: string } | null)?.value ?? '' }))}
              />
            ))
          : null}
        <SelectInput
          id="import-language"
          name="language"
          path="language"
          label="Language"
          required
          isClearable={false}
          options={[...languages.map((item) => ({ label: `${item.name} (${item.code})`, value: String(item.id) })), ...(delimited ? [{ label: 'From a column…', value: LANGUAGE_FROM_COLUMN }] : [])]}
          value={language}
          onChange={(option) => setLanguage((option as { value?: string } | null)?.value ?? '')}
        />
        {language === LANGUAGE_FROM_COLUMN ? (
          <SelectInput
            id="import-column-language"
            name="column-language"
            path="column-language"
            label="Language column (codes such as bn, en)"
            required
            isClearable={false}
            options={columnOptions}
            value={columns.language ?? ''}
            onChange={(option) => setColumns((current) => ({ ...current, language: (option as { value?: string } | null)?.value ?? '' }))}
          />
        ) : null}
        <TextInput path="default-source" label="Source (for rows without one)" value={defaults.source} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setDefaults({ ...defaults, source: event.target.value })} />
        <TextInput path="default-domain" label="Domain (for rows without one)" value={defaults.domain} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setDefaults({ ...defaults, domain: event.target.value })} />
        <SelectInput
          id="import-licence"
          name="licence"
          path="licence"
          label="Licence (for rows without one)"
          isClearable={false}
          options={LICENCES.map((value) => ({ label: value, value }))}
          value={defaults.licence}
          onChange={(option) => setDefaults({ ...defaults, licence: (option as { value?: string } | null)?.value ?? 'CC0-1.0' })}
        />
        <SelectInput
          id="import-status"
          name="status"
          path="status"
          label="Imported sentences are"
          isClearable={false}
          options={[{ label: 'Pending (reviewed before use)', value: 'pending' }, ...(mayApprove ? [{ label: 'Approved (served at once)', value: 'approved' }] : [])]}
          value={status}
          onChange={(option) => setStatus(((option as { value?: string } | null)?.value ?? 'pending') as 'pending' | 'approved')}
        />
      </section>

      {error ? (
        <div role="alert">
          <Banner type="error">{error}</Banner>
        </div>
      ) : null}
      <Button id="start-import" buttonStyle="primary" onClick={start} disabled={running}>
        Import
      </Button>

      {uploadPercent !== null ? percentBar('Uploading', uploadPercent, 'upload-progress') : null}
      {doc ? (
        <section id="import-result" aria-live="polite" style={{ marginTop: 16 }}>
          {percentBar(doc.state === 'done' ? 'Imported' : `Import ${doc.state ?? 'queued'}`, doc.state === 'done' ? 100 : Number(doc.progress ?? 0), 'import-progress')}
          {doc.state === 'failed' ? <Banner type="error">{doc.error}</Banner> : null}
          {doc.state === 'done' ? (
            <>
              <table id="import-counts">
                <tbody>
                  {(
                    [
                      ['Lines', doc.lines],
                      ['Accepted', doc.accepted],
                      ['Refused by a rule', doc.refused],
                      ['Duplicates in the file', doc.duplicates],
                      ['Already in the corpus', doc.alreadyPresent],
                    ] as const
                  ).map(([label, value]) => (
                    <tr key={label}>
                      <th style={{ textAlign: 'left', paddingRight: 16 }}>{label}</th>
                      <td data-count={label}>{Number(value ?? 0).toLocaleString('en')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                <Button el="anchor" url={`/api/curation/imports/${doc.id}/report`} buttonStyle="secondary" size="small" newTab={false} id="download-report">
                  Download the report (TSV)
                </Button>{' '}
                <Button el="link" to={`/admin/collections/sentence-imports/${doc.id}`} buttonStyle="subtle" size="small">
                  Open the import
                </Button>
              </p>
              {report && report.length > 0 ? (
                <section aria-label="Lines not imported">
                  <h3>Lines not imported{report.length === REPORT_ROWS ? ' (the first 50)' : ''}</h3>
                  <table id="import-report" style={{ borderCollapse: 'collapse' }}>
                    <thead>
                      <tr>
                        {['Line', 'Outcome', 'Rule', 'Why', 'Sentence'].map((title) => (
                          <th key={title} scope="col" style={{ textAlign: 'left', padding: '4px 8px' }}>
                            {title}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {report.map((row) => (
                        <tr key={row.line}>
                          <td style={{ padding: '4px 8px' }}>{row.line}</td>
                          <td style={{ padding: '4px 8px' }}>{row.outcome}</td>
                          <td style={{ padding: '4px 8px' }}>{row.rule}</td>
                          <td style={{ padding: '4px 8px' }}>{row.message}</td>
                          <td style={{ padding: '4px 8px' }}>{row.sentence}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              ) : null}
            </>
          ) : null}
        </section>
      ) : null}
    </div>
  )
}
