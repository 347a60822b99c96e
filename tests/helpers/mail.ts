import type { AddressInfo } from 'node:net'

import { SMTPServer } from 'smtp-server'

/**
 * An in-process SMTP sink and just enough MIME to read what nodemailer writes: headers (unfolded,
 * encoded words decoded), and the text and HTML parts of a multipart/alternative message, each
 * decoded from base64 or quoted-printable.
 */

export interface ReceivedMail {
  to: string[]
  raw: string
}

export interface DecodedMail {
  headers: Map<string, string>
  subject: string
  text: string
  html: string
}

export const startSmtpSink = async (): Promise<{ url: string; inbox: ReceivedMail[]; close: () => Promise<void> }> => {
  const inbox: ReceivedMail[] = []
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = ''
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    inbox,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  }
}

const decodeWords = (value: string): string =>
  value.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  )

const parseHeaders = (block: string): Map<string, string> => {
  const headers = new Map<string, string>()
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()))
  }
  return headers
}

const decodeBody = (headers: Map<string, string>, body: string): string => {
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase()
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    return Buffer.from(bytes, 'latin1').toString('utf8')
  }
  return body
}

const splitEntity = (raw: string): { headers: Map<string, string>; body: string } => {
  const match = /\r?\n\r?\n/.exec(raw)
  if (!match) return { headers: parseHeaders(raw), body: '' }
  return { headers: parseHeaders(raw.slice(0, match.index)), body: raw.slice(match.index + match[0].length) }
}

export const decodeMail = (raw: string): DecodedMail => {
  const top = splitEntity(raw)
  const result: DecodedMail = { headers: top.headers, subject: top.headers.get('subject') ?? '', text: '', html: '' }
  const visit = (headers: Map<string, string>, body: string) => {
    const type = headers.get('content-type') ?? 'text/plain'
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1]
    if (/^multipart\//i.test(type) && boundary) {
      for (const part of body.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break
        const entity = splitEntity(part.replace(/^\r?\n/, ''))
        visit(entity.headers, entity.body)
      }
    } else if (/^text\/html/i.test(type)) result.html = decodeBody(headers, body)
    else if (/^text\/plain/i.test(type)) result.text = decodeBody(headers, body)
  }
  visit(top.headers, top.body)
  return result
}

export const waitForMail = async (inbox: ReceivedMail[], to: string, { timeoutMs = 20_000, count = 1 } = {}): Promise<ReceivedMail> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const found = inbox.filter((mail) => mail.to.includes(to))
    if (found.length >= count) return found[count - 1]
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no email (${count}) reached ${to}`)
}
