import { PassThrough } from 'node:stream'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import winston from 'winston'

import { sealMessage, sendEmailJob, textOfHtml } from '../../src/email'
import { PREVIEW_LOCALES, renderEmail, sampleData, TEMPLATE_NAMES } from '../../src/email/templates'
import { readUnsubscribeToken, unsubscribeToken } from '../../src/email/tokens'
import { previousWeek } from '../../src/email/weeklySummary'
import { logger } from '../../src/lib/logger'

/** Templates in every language, the log as the mailbox when SMTP_URL is unset, unsubscribe tokens, week arithmetic. */

describe('email templates', () => {
  test.each(TEMPLATE_NAMES.flatMap((name) => PREVIEW_LOCALES.map((locale) => [name, locale] as const)))('%s in %s has a subject, a plain-text part and an HTML part with its links', (name, locale) => {
    const data = sampleData('https://voice.example.org', 'Shrutik', locale)[name]
    const rendered = renderEmail(name, locale, data as never)
    expect(rendered.subject.length).toBeGreaterThan(5)
    expect(rendered.text).not.toMatch(/[{}]/)
    expect(rendered.text).toContain(name === 'test' ? 'https://voice.example.org' : '?token=')
    expect(rendered.html).toContain(`lang="${locale}"`)
    for (const [key, value] of Object.entries(data)) {
      if (key.toLowerCase().endsWith('link') && typeof value === 'string') {
        expect(rendered.text).toContain(value)
        expect(rendered.html).toContain(`href="${value}"`)
      }
    }
    if (locale === 'bn') expect(rendered.text).toMatch(/[\u0980-\u09FF]/)
  })

  test('values are escaped in the HTML part', () => {
    const rendered = renderEmail('invitation', 'en', { site: 'Shrutik', link: 'https://x.example/?a=1&b=2', inviter: '<script>alert(1)</script>', role: 'reviewer' })
    expect(rendered.html).not.toContain('<script>')
    expect(rendered.html).toContain('&#60;script&#62;')
    expect(rendered.html).toContain('href="https://x.example/?a=1&#38;b=2"')
    expect(rendered.text).toContain('<script>alert(1)</script>')
  })

  test('an HTML-only email gets a readable plain-text part', () => {
    expect(textOfHtml('<p>Reset &#60;here&#62;:</p><p><a href="https://x/r?t=1">https://x/r?t=1</a></p>')).toBe('Reset <here>:\n\nhttps://x/r?t=1')
  })
})

describe('with SMTP_URL unset', () => {
  const lines: Record<string, unknown>[] = []
  const capture = new PassThrough()
  capture.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>)
  })
  const transport = new winston.transports.Stream({ stream: capture, level: 'debug' })
  let level: string
  let smtpUrl: string | undefined
  beforeAll(() => {
    smtpUrl = process.env.SMTP_URL
    delete process.env.SMTP_URL
    logger.add(transport)
    level = logger.level
    logger.level = 'debug'
  })
  afterAll(() => {
    logger.remove(transport)
    logger.level = level
    if (smtpUrl !== undefined) process.env.SMTP_URL = smtpUrl
  })

  test('the log shows the whole message, links and headers included, so the operator can act on it', async () => {
    const secret = 'a test secret that is long enough for hkdf'
    const link = 'http://localhost:3000/bn/invite?token=AbCdEf0123456789'
    const sealed = sealMessage(secret, 'someone@example.org', {
      from: 'Shrutik <no-reply@localhost>',
      subject: 'You are invited',
      text: `Choose your password here:\n${link}`,
      html: `<p><a href="${link}">${link}</a></p>`,
      headers: { 'List-Unsubscribe': '<http://localhost:3000/api/email/unsubscribe?token=1.weekly-summary.x>' },
    })
    await sendEmailJob.handler({
      data: { to: 'someone@example.org', sealed },
      payload: { secret } as never,
      attempt: 1,
      jobId: 'log-test',
      signal: new AbortController().signal,
      touch: async () => undefined,
      log: () => undefined,
    })
    await new Promise((resolve) => setImmediate(resolve))
    const entry = lines.find((line) => String(line.message).includes('SMTP_URL is not set'))
    expect(entry).toBeDefined()
    expect(entry?.to).toBe('someone@example.org')
    expect(entry?.subject).toBe('You are invited')
    expect(String(entry?.text)).toContain(link)
    expect(JSON.stringify(entry?.headers)).toContain('List-Unsubscribe')
  })
})

describe('unsubscribe tokens', () => {
  const secret = 'one secret long enough for the test'
  test('a token opens its own account and list only', () => {
    const token = unsubscribeToken(secret, 42, 'weekly-summary')
    expect(readUnsubscribeToken(secret, token)).toEqual({ userId: 42, list: 'weekly-summary' })
    expect(readUnsubscribeToken('another secret entirely, also long', token)).toBeUndefined()
    expect(readUnsubscribeToken(secret, token.replace(/^42\./, '43.'))).toBeUndefined()
    expect(readUnsubscribeToken(secret, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined()
    expect(readUnsubscribeToken(secret, token.replace('weekly-summary', 'newsletter'))).toBeUndefined()
    for (const junk of ['', '42', '42.weekly-summary', '0.weekly-summary.x', 'x'.repeat(500), 42, null]) expect(readUnsubscribeToken(secret, junk)).toBeUndefined()
  })
})

describe('the weekly summary’s week', () => {
  test.each([
    ['2026-11-30T00:30:00Z', '2026-W48', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    ['2026-12-06T23:59:00Z', '2026-W48', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    ['2026-01-05T10:00:00Z', '2026-W01', '2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
    ['2021-01-04T10:00:00Z', '2020-W53', '2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z'],
  ])('at %s the last full week is %s', (now, key, start, end) => {
    const week = previousWeek(new Date(now))
    expect(week).toEqual({ key, start: new Date(start), end: new Date(end) })
  })
})
