'use client'

import { useCallback, useState, type CSSProperties, type ReactNode } from 'react'
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import type { DashboardData, DashboardTable } from '../../src/dashboard/data'
import { dashboardStrings, fill, type DashboardLanguage } from './strings'

const cell: CSSProperties = { padding: '4px 10px', borderBottom: '1px solid var(--theme-elevation-100)', textAlign: 'left' }
const numeric: CSSProperties = { ...cell, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }
const section: CSSProperties = { marginTop: 32 }

const COLORS = { clips: 'var(--theme-elevation-400)', recorded: 'var(--theme-success-500)', validated: 'var(--theme-warning-500)', exported: 'var(--theme-elevation-800)' }

/** A labelled bar toward a target; the numbers are in the text beside it and in aria attributes. */
const ProgressBar = ({ label, value, target, color, text }: { label: string; value: number; target: number; color: string; text: string }) => {
  const percent = target > 0 ? Math.min(100, (value / target) * 100) : 0
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '8em 1fr 16em', gap: 8, alignItems: 'center', marginBottom: 4 }}>
      <span>{label}</span>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={target}
        aria-valuenow={Math.min(value, target)}
        aria-valuetext={text}
        style={{ height: 12, background: 'var(--theme-elevation-100)', borderRadius: 6, overflow: 'hidden' }}
      >
        <div style={{ width: `${percent}%`, height: '100%', background: color }} />
      </div>
      <span style={{ fontVariantNumeric: 'tabular-nums' }}>{text}</span>
    </div>
  )
}

const Table = ({ headings, rows, caption }: { headings: string[]; rows: ReactNode[][]; caption?: string }) => (
  <div style={{ overflowX: 'auto' }}>
    <table style={{ borderCollapse: 'collapse', fontSize: 14 }}>
      {caption ? <caption style={{ textAlign: 'left', padding: '4px 0' }}>{caption}</caption> : null}
      <thead>
        <tr>
          {headings.map((heading, index) => (
            <th key={heading} scope="col" style={index === 0 ? cell : numeric}>
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={index}>
            {row.map((value, column) =>
              column === 0 ? (
                <th key={column} scope="row" style={{ ...cell, fontWeight: 'normal' }}>
                  {value}
                </th>
              ) : (
                <td key={column} style={numeric}>
                  {value}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)

/** The campaign dashboard (client part): charts, tables, CSV links and the language filter. */
export const DashboardPanel = ({ initial, language: uiLanguage, languages }: { initial: DashboardData; language: DashboardLanguage; languages: { code: string; name: string }[] }) => {
  const t = dashboardStrings(uiLanguage)
  const locale = uiLanguage === 'bn' ? 'bn-BD' : 'en'
  const number = (value: number, digits = 0) => value.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 })
  const [data, setData] = useState(initial)
  const [filter, setFilter] = useState(initial.language ?? '')
  const [error, setError] = useState<string | null>(null)

  const choose = useCallback(async (code: string) => {
    setFilter(code)
    try {
      const response = await fetch(`/api/dashboard${code ? `?language=${encodeURIComponent(code)}` : ''}`, { credentials: 'include' })
      const body = await response.json()
      if (!response.ok) throw new Error(body?.errors?.[0]?.message ?? `HTTP ${response.status}`)
      setData(body as DashboardData)
      setError(null)
    } catch (failure) {
      setError(fill(t.loadFailed, { error: (failure as Error).message }))
    }
  }, [t])

  const csv = (table: DashboardTable) => (
    <a href={`/api/dashboard/${table}.csv${filter ? `?language=${encodeURIComponent(filter)}` : ''}`} download style={{ fontSize: 13 }}>
      {t.download}
    </a>
  )
  const shortDay = (day: string) => day.slice(5)
  const percent = (value: number, target: number) => (target > 0 ? `${number((value / target) * 100, 1)} %` : '—')
  const hoursText = (value: number, target: number) => fill(t.hoursOf, { value: number(value, 2), target: number(target), percent: percent(value, target) })
  const first = data.daily[0]?.day ?? ''
  const last = data.daily.at(-1)?.day ?? ''

  return (
    <section aria-labelledby="dashboard-title" id="shrutik-dashboard" style={{ marginBottom: 40 }}>
      <h1 id="dashboard-title">{t.title}</h1>
      <p style={{ opacity: 0.75 }}>{data.refreshedAt ? fill(t.updated, { time: `${data.refreshedAt.slice(0, 10)} ${data.refreshedAt.slice(11, 16)} UTC` }) : t.notYet}</p>
      {data.totals.pendingAudio > 0 ? <p>{fill(t.pendingAudio, { count: number(data.totals.pendingAudio) })}</p> : null}
      {error ? <p role="alert">{error}</p> : null}

      <section style={section} aria-labelledby="dashboard-progress">
        <h2 id="dashboard-progress">{t.progress}</h2>
        <p style={{ opacity: 0.75 }}>{t.progressHelp}</p>
        {data.languages.length === 0 ? <p>{t.noLanguages}</p> : null}
        {data.languages.map((row) => (
          <div key={row.code} data-language={row.code} style={{ marginBottom: 16 }}>
            <h3 style={{ margin: '8px 0' }}>
              {row.name} <span style={{ opacity: 0.6 }}>({row.code}) · {t.target}: {number(row.targetHours)} h</span>
            </h3>
            <ProgressBar label={t.recorded} value={row.recordedHours} target={row.targetHours} color={COLORS.recorded} text={hoursText(row.recordedHours, row.targetHours)} />
            <ProgressBar label={t.validated} value={row.validatedHours} target={row.targetHours} color={COLORS.validated} text={hoursText(row.validatedHours, row.targetHours)} />
            <ProgressBar label={t.exported} value={row.exportedHours} target={row.targetHours} color={COLORS.exported} text={hoursText(row.exportedHours, row.targetHours)} />
          </div>
        ))}
        {csv('languages')}
      </section>

      <section style={section} aria-labelledby="dashboard-daily">
        <h2 id="dashboard-daily">{fill(t.perDay, { days: data.days })}</h2>
        <label>
          {t.language}{' '}
          <select value={filter} onChange={(event) => void choose(event.target.value)} name="language">
            <option value="">{t.allLanguages}</option>
            {languages.map((row) => (
              <option key={row.code} value={row.code}>
                {row.name}
              </option>
            ))}
          </select>
        </label>
        <div role="img" aria-label={fill(t.chartLabel, { from: first, to: last })} className="dashboard-chart" style={{ width: '100%', height: 320, marginTop: 12 }}>
          <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height: 320 }}>
            <ComposedChart data={data.daily} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke="var(--theme-elevation-100)" vertical={false} />
              <XAxis dataKey="day" tickFormatter={shortDay} minTickGap={24} stroke="currentColor" fontSize={12} />
              <YAxis yAxisId="clips" allowDecimals={false} stroke="currentColor" fontSize={12} />
              <YAxis yAxisId="hours" orientation="right" stroke="currentColor" fontSize={12} />
              <Tooltip contentStyle={{ background: 'var(--theme-elevation-0)', border: '1px solid var(--theme-elevation-150)' }} />
              <Legend />
              <Bar yAxisId="clips" dataKey="clips" name={t.clips} fill={COLORS.clips} isAnimationActive={false} />
              <Line yAxisId="hours" dataKey="recordedHours" name={t.recordedHours} stroke={COLORS.recorded} dot={false} strokeWidth={2} isAnimationActive={false} />
              <Line yAxisId="hours" dataKey="validatedHours" name={t.validatedHours} stroke={COLORS.validated} dot={false} strokeWidth={2} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
        <details>
          <summary>{t.showTable}</summary>
          <Table
            headings={[t.day, t.clips, t.recordedHours, t.validatedHours, t.reviewerDecisions]}
            rows={[...data.daily].reverse().map((row) => [row.day, number(row.clips), number(row.recordedHours, 2), number(row.validatedHours, 2), number(row.reviewerDecisions)])}
          />
        </details>
        {csv('daily')}
      </section>

      <section style={section} aria-labelledby="dashboard-weekly">
        <h2 id="dashboard-weekly">{t.weekly}</h2>
        <p style={{ opacity: 0.75 }}>{t.weeklyHelp}</p>
        <div role="img" aria-label={t.weeklyChartLabel} style={{ width: '100%', maxWidth: 720, height: 200 }}>
          <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 720, height: 200 }}>
            <BarChart data={data.weekly} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke="var(--theme-elevation-100)" vertical={false} />
              <XAxis dataKey="week" tickFormatter={shortDay} stroke="currentColor" fontSize={12} />
              <YAxis allowDecimals={false} stroke="currentColor" fontSize={12} />
              <Tooltip contentStyle={{ background: 'var(--theme-elevation-0)', border: '1px solid var(--theme-elevation-150)' }} />
              <Bar dataKey="contributors" name={t.contributors} fill={COLORS.recorded} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <details>
          <summary>{t.showTable}</summary>
          <Table headings={[t.week, t.contributors]} rows={[...data.weekly].reverse().map((row) => [row.week, number(row.contributors)])} />
        </details>
        {csv('weekly')}
      </section>

      <section style={section} aria-labelledby="dashboard-backlog">
        <h2 id="dashboard-backlog">{t.backlog}</h2>
        <Table
          headings={[t.language, t.pending, t.needsReview, t.accepted, t.rejected, t.reviewed7d, t.reviewed30d]}
          rows={data.backlog.map((row) => [row.name, number(row.pending), number(row.needsReview), number(row.accepted), number(row.rejected), number(row.reviewed7d), number(row.reviewed30d)])}
        />
        {csv('backlog')}
      </section>

      <section style={section} aria-labelledby="dashboard-queue">
        <h2 id="dashboard-queue">{t.queue}</h2>
        <p style={{ opacity: 0.75 }}>{t.queueHelp}</p>
        {data.queue.length === 0 ? (
          <p>{t.queueEmpty}</p>
        ) : (
          <Table
            headings={[t.job, t.waiting, t.scheduled, t.running, t.failed24h, t.failedForGood]}
            rows={data.queue.map((row) => [row.name, number(row.waiting), number(row.scheduled), number(row.running), number(row.failed24h), number(row.failedForGood)])}
          />
        )}
        {csv('queue')}
      </section>

      <section style={section} aria-labelledby="dashboard-rejections">
        <h2 id="dashboard-rejections">{fill(t.rejections, { days: data.days })}</h2>
        {data.rejections.length === 0 ? <p>{t.noRejections}</p> : <Table headings={[t.check, t.recordings]} rows={data.rejections.map((row) => [row.code, number(row.recordings)])} />}
        {csv('rejections')}
      </section>
    </section>
  )
}
