import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { runJobHandler } from '@shrutik/plugin-sdk/testing'
import type pg from 'pg'

import { runImport } from '../src/curation/import'
import { importSentencesJob } from '../src/curation/jobs'
import { createUser, json, mintAnonymous, startTestServer, type TestServer, type TestUser } from './helpers/server'

/** Sentence curation: bulk import (job, report, CLI), access, review with the consensus vote rule, reports, coverage, corpus TSVs. */

let server: TestServer
let admin: TestUser
let reviewer: TestUser
let contributor: TestUser
let dir: string
let bn: number
let en: number
const root = path.resolve(import.meta.dirname, '..')
const BIN = path.join(root, 'bin/shrutik.mjs')

const pool = () => (server.payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool

const bengaliRules = { minWords: 2, maxWords: 14, allowedScripts: 'Bengali', allowDigits: false, terminalPunctuation: '।?!' }
const englishRules = { minWords: 2, maxWords: 14, allowedScripts: 'Latin', allowDigits: false, allowAbbreviations: false, terminalPunctuation: '.?!' }

const setSettings = (data: Record<string, unknown>) => server.payload.updateGlobal({ slug: 'site-settings', data })

/** Uploads a file (or pastes text) as an import through the REST API, like the admin's form does. */
const startImport = async (user: TestUser | null, fields: Record<string, unknown>, file?: { name: string; content: Buffer | string }) => {
  const form = new FormData()
  if (file) form.append('file', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.name)
  form.append('_payload', JSON.stringify(fields))
  return fetch(`${server.url}/api/sentence-imports`, { method: 'POST', headers: user?.headers ?? {}, body: form })
}

/** Runs the import's job as a worker would (the test server's role is web only). */
const runJob = async (importId: number) => {
  await runJobHandler(importSentencesJob, { payload: server.payload, data: { importId } })
  return server.payload.findByID({ collection: 'sentence-imports', id: importId, depth: 0 })
}

const countsOf = (doc: Record<string, unknown>) => ({
  lines: Number(doc.lines),
  accepted: Number(doc.accepted),
  refused: Number(doc.refused),
  duplicates: Number(doc.duplicates),
  alreadyPresent: Number(doc.alreadyPresent),
})

const report = async (importId: number, user: TestUser = admin) => {
  const response = await fetch(`${server.url}/api/curation/imports/${importId}/report`, { headers: user.headers })
  expect(response.status).toBe(200)
  const [header, ...rows] = (await response.text()).trimEnd().split('\n')
  const columns = header.split('\t')
  return rows.map((row) => Object.fromEntries(row.split('\t').map((cell, index) => [columns[index], cell])))
}

const cli = (...args: string[]) => {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' } })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await createUser(server, 'admin', 'curation-admin')
  reviewer = await createUser(server, 'reviewer', 'curation-reviewer')
  contributor = await createUser(server, 'contributor', 'curation-contributor')
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-curation-'))
  bn = Number((await server.payload.create({ collection: 'languages', data: { code: 'bnk', name: 'Bengali (curation)', nativeName: 'বাংলা', sentenceRules: bengaliRules } })).id)
  en = Number((await server.payload.create({ collection: 'languages', data: { code: 'enk', name: 'English (curation)', nativeName: 'English', sentenceRules: englishRules } })).id)
})

afterAll(async () => {
  await setSettings({ contributorsReviewSentences: false, reviewersImportSentences: false })
  fs.rmSync(dir, { recursive: true, force: true })
  await server?.close()
})

describe('import', () => {
  // 12 non-empty lines: 5 accepted, 3 refused, 4 duplicates within the file.
  const lines = [
    'আমি বাংলায় গান গাই।', // 1 accepted
    '\u0995\u09CB\u09A5\u09BE\u09AF\u09BC যাবে তুমি?', // 2 accepted (composed ো)
    '\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC যাবে তুমি?', // 3 duplicate of 2 (NFD spelling)
    '', // blank: not a line of the report
    'ক্\u200Cষমা চাওয়া ভালো।', // 5 accepted (ZWNJ)
    'ক্ষমা চাওয়া ভালো।', // 6 duplicate of 5 (without ZWNJ)
    'আমার বয়স ২৫ বছর।', // 7 refused: digits
    'আমি office যাই।', // 8 refused: script
    '  আমি   বাংলায়  গান গাই। ', // 9 duplicate of 1 (spacing)
    'হ্যাঁ।', // 10 refused: one word
    'পরীক্ষা শেষে স্বতন্ত্র প্রস্তুতি নিতে হবে।', // 11 accepted (conjuncts with hasanta)
    'র\u200D্যাব এসেছে আজ।', // 12 accepted (ZWJ)
    'র্যাব এসেছে আজ।', // 13 duplicate of 12 (without ZWJ)
  ]
  let firstImport: number

  test('a .txt file with duplicates, NFC/NFD and joiner variants and rule violations: exact counts and a line-numbered report', async () => {
    const response = await startImport(admin, { language: bn }, { name: 'bengali.txt', content: `${lines.join('\n')}\n` })
    expect(response.status).toBe(201)
    firstImport = (await json(response)).doc.id
    const doc = await runJob(firstImport)
    expect(doc.state).toBe('done')
    expect(countsOf(doc)).toEqual({ lines: 12, accepted: 5, refused: 3, duplicates: 4, alreadyPresent: 0 })
    const rows = await report(firstImport)
    expect(rows.map((row) => [row.line, row.outcome, row.rule])).toEqual([
      ['1', 'accepted', ''],
      ['2', 'accepted', ''],
      ['3', 'duplicate', ''],
      ['5', 'accepted', ''],
      ['6', 'duplicate', ''],
      ['7', 'refused', 'digits'],
      ['8', 'refused', 'script'],
      ['9', 'duplicate', ''],
      ['10', 'refused', 'min-words'],
      ['11', 'accepted', ''],
      ['12', 'accepted', ''],
      ['13', 'duplicate', ''],
    ])
    expect(rows.find((row) => row.line === '3')?.first_line).toBe('2')
    expect(rows.find((row) => row.line === '7')?.message).toBe('The sentence has the digit "২"; write numbers out in words so everyone reads them the same way.')
    const stored = await server.payload.find({ collection: 'sentences', where: { language: { equals: bn } }, limit: 0, pagination: false })
    expect(stored.docs).toHaveLength(5)
    expect(stored.docs.every((sentence) => sentence.status === 'pending')).toBe(true)
  })

  test('re-importing the same file adds nothing: every line is already present (or refused, or a duplicate)', async () => {
    const response = await startImport(admin, { language: bn }, { name: 'bengali-again.txt', content: `${lines.join('\n')}\n` })
    const doc = await runJob((await json(response)).doc.id)
    expect(countsOf(doc)).toEqual({ lines: 12, accepted: 0, refused: 3, duplicates: 4, alreadyPresent: 5 })
    expect((await server.payload.count({ collection: 'sentences', where: { language: { equals: bn } } })).totalDocs).toBe(5)
  })

  test('pasted text, and Unicode-equivalent spellings of sentences already in the corpus are already present', async () => {
    const pasted = ['কোথায় যাবে তুমি?', 'ক্ষমা চাওয়া ভালো।', 'নতুন একটি বাক্য এখানে।'].join('\r\n')
    const response = await startImport(admin, { language: bn, pastedText: pasted })
    expect(response.status).toBe(201)
    const doc = await runJob((await json(response)).doc.id)
    expect(countsOf(doc)).toEqual({ lines: 3, accepted: 1, refused: 0, duplicates: 0, alreadyPresent: 2 })
  })

  test('a CSV with a BOM, quoted fields with commas and line breaks, and a language column: exact counts and line numbers', async () => {
    const csv =
      '\uFEFFsentence,language,source,domain\r\n' +
      '"Hello, my friend.",enk,letters,general\r\n' + // 2 accepted
      '"The river runs\r\nto the sea.",enk,poems,nature\r\n' + // 3-4 accepted: a line break inside quotes
      'The river runs to the sea.,enk,poems,nature\r\n' + // 5 duplicate of 3 (the break is whitespace)
      '"She said ""come here.""",enk,,\r\n' + // 6 accepted
      'We met at 10 today.,enk,,\r\n' + // 7 refused: digits
      'The BBC said so.,enk,,\r\n' + // 8 refused: abbreviation
      'আমি বাংলায় গান গাই।,bnk,,\r\n' + // 9 already present (bn)
      'Something in Klingon.,tlh,,\r\n' // 10 refused: unknown language
    const response = await startImport(admin, { languageColumn: 'language' }, { name: 'mixed.csv', content: csv })
    expect(response.status).toBe(201)
    const id = (await json(response)).doc.id
    const doc = await runJob(id)
    expect(countsOf(doc)).toEqual({ lines: 8, accepted: 3, refused: 3, duplicates: 1, alreadyPresent: 1 })
    const rows = await report(id)
    expect(rows.map((row) => [row.line, row.outcome, row.rule])).toEqual([
      ['2', 'accepted', ''],
      ['3', 'accepted', ''],
      ['5', 'duplicate', ''],
      ['6', 'accepted', ''],
      ['7', 'refused', 'digits'],
      ['8', 'refused', 'abbreviations'],
      ['9', 'already-present', ''],
      ['10', 'refused', 'language'],
    ])
    const river = await server.payload.find({ collection: 'sentences', where: { text: { equals: 'The river runs to the sea.' } } })
    expect(river.docs[0]).toMatchObject({ source: 'poems', domain: 'nature', status: 'pending' })
  })

  test('a file in the wrong encoding is refused whole, naming the line', async () => {
    const latin1 = Buffer.concat([Buffer.from('A fine first line.\nCaf'), Buffer.from([0xe9]), Buffer.from(' au lait is good.\n')])
    const response = await startImport(admin, { language: en }, { name: 'cp1252.txt', content: latin1 })
    const id = (await json(response)).doc.id
    await expect(runJob(id)).rejects.toThrow(/Line 2 is not valid UTF-8/)
    const doc = await server.payload.findByID({ collection: 'sentence-imports', id, depth: 0 })
    expect(doc.state).toBe('failed')
    expect(doc.error).toMatch(/Line 2 is not valid UTF-8/)
    expect((await server.payload.count({ collection: 'sentences', where: { text: { equals: 'A fine first line.' } } })).totalDocs).toBe(0)
  })

  test('a sentence longer than 800 characters is refused, by the import (naming the rule) and through the API; 800 Bengali characters fit the text sort index', async () => {
    // qu–qz: outside the codes other suites draw at random (createLanguage: qa–qt).
    const lax = Number((await server.payload.create({ collection: 'languages', data: { code: 'qvl', name: 'Long sentences', nativeName: 'দীর্ঘ', sentenceRules: { maxWords: 1000, maxCharacters: 5000 } } })).id)
    // 800 UTF-16 code units of Bengali (2,400 bytes of UTF-8): the longest sentence there may be.
    const longest = `${'কথা '.repeat(199)}শেষ।`
    const tooLong = `${'বলা '.repeat(200)}শেষ।`
    expect([longest.length, tooLong.length]).toEqual([800, 804])
    const response = await startImport(admin, { language: lax, pastedText: `${longest}\n${tooLong}\n` })
    expect(response.status).toBe(201)
    const id = (await json(response)).doc.id
    expect(countsOf(await runJob(id))).toEqual({ lines: 2, accepted: 1, refused: 1, duplicates: 0, alreadyPresent: 0 })
    expect((await report(id)).map((row) => [row.outcome, row.rule, row.message])).toEqual([
      ['accepted', '', ''],
      ['refused', 'max-characters', 'The sentence is longer than 800 characters.'],
    ])
    const viaApi = await fetch(`${server.url}/api/sentences`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...admin.headers },
      body: JSON.stringify({ text: `${'শোনা '.repeat(200)}শেষ।`, language: lax }),
    })
    expect(viaApi.status).toBe(400)
  })

  test('a killed worker mid-import: the re-run starts over and nothing is duplicated', async () => {
    const many = Array.from({ length: 12_000 }, (_, i) => `Sentence number ${['one', 'two', 'three', 'four', 'five', 'six'][i % 6]} of batch ${'abcdefghij'[Math.floor(i / 6) % 10]}${'klmnopqrst'[Math.floor(i / 60) % 10]}${'uvwxyzabcd'[Math.floor(i / 600) % 10]} ${'efghijklmn'[Math.floor(i / 6000) % 10]}.`)
    const file = path.join(dir, 'many.txt')
    fs.writeFileSync(file, `${many.join('\n')}\n`)
    const created = await server.payload.create({ collection: 'sentence-imports', data: { language: en, sourcePath: file } as never, context: { runInProcess: true } })
    const id = Number(created.id)
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'tests/curation/importChild.ts', String(id)], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker did not start:\n${output}`)), 90_000)
      child.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it was killed:\n${output}`)))
      child.stdout.on('data', () => {
        if (output.includes('staged')) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const staged = await pool().query('SELECT count(*)::int AS n FROM sentence_import_rows WHERE import_id = $1', [id])
    expect(staged.rows[0].n).toBeGreaterThan(0)
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    expect((await server.payload.findByID({ collection: 'sentence-imports', id, depth: 0 })).state).toBe('running')

    const counts = await runImport(server.payload, id)
    expect(counts).toEqual({ lines: 12_000, accepted: 12_000, refused: 0, duplicates: 0, alreadyPresent: 0 })
    const inCorpus = await pool().query(`SELECT count(*)::int AS n FROM sentences WHERE language_id = $1 AND text LIKE 'Sentence number %'`, [en])
    expect(inCorpus.rows[0].n).toBe(12_000)
    // A job delivered twice (at-least-once) finds the import done and adds nothing.
    expect(await runImport(server.payload, id)).toEqual(counts)
    expect((await pool().query('SELECT count(*)::int AS n FROM sentence_import_rows WHERE import_id = $1', [id])).rows[0].n).toBe(0)
  }, 120_000)
})

describe('import access', () => {
  const paste = { pastedText: 'An access test sentence.', language: 0 }

  test('anonymous and contributors cannot import; reviewers only when the admin allows it, and never as approved', async () => {
    paste.language = en
    expect((await startImport(null, paste)).status).toBe(403)
    const anonymous = await mintAnonymous(server)
    const form = new FormData()
    form.append('_payload', JSON.stringify(paste))
    expect((await fetch(`${server.url}/api/sentence-imports`, { method: 'POST', headers: anonymous.headers, body: form })).status).toBe(403)
    expect((await startImport(contributor, paste)).status).toBe(403)
    expect((await startImport(reviewer, paste)).status).toBe(403)

    await setSettings({ reviewersImportSentences: true })
    const allowed = await startImport(reviewer, paste)
    expect(allowed.status).toBe(201)
    const asApproved = await startImport(reviewer, { ...paste, sentenceStatus: 'approved' })
    expect(asApproved.status).toBe(403)
    await setSettings({ reviewersImportSentences: false })
    expect((await startImport(reviewer, paste)).status).toBe(403)

    // A reviewer reads their own imports' reports, not others'; contributors none.
    const own = (await json(allowed)).doc.id
    await runJob(own)
    expect((await report(own, reviewer)).map((row) => row.outcome)).toEqual(['accepted'])
    const others = (await json(await startImport(admin, { pastedText: 'Another access sentence.', language: en }))).doc.id
    await runJob(others)
    expect((await fetch(`${server.url}/api/curation/imports/${others}/report`, { headers: reviewer.headers })).status).toBe(404)
    expect((await fetch(`${server.url}/api/curation/imports/${others}/report`, { headers: contributor.headers })).status).toBe(403)
  })

  test('an admin may import straight into the approved corpus', async () => {
    const response = await startImport(admin, { pastedText: 'Approved at once by the admin.', language: en, sentenceStatus: 'approved' })
    expect(response.status).toBe(201)
    await runJob((await json(response)).doc.id)
    const found = await server.payload.find({ collection: 'sentences', where: { text: { equals: 'Approved at once by the admin.' } } })
    expect(found.docs[0].status).toBe('approved')
  })

  test('a file that is not .txt, .csv or .tsv is refused with a clear message', async () => {
    const response = await startImport(admin, { language: en }, { name: 'sentences.xlsx', content: 'PK\u0003\u0004' })
    expect(response.status).toBe(400)
    expect(JSON.stringify(await json(response))).toMatch(/\.txt \(one sentence a line\), \.csv or \.tsv/)
  })
})

describe('shrutik sentences import', () => {
  test('imports a file, prints the counts as the last line (adding up to the lines), and re-import adds 0', () => {
    const file = path.join(dir, 'cli.txt')
    fs.writeFileSync(file, 'The shell adds this one.\nThe shell adds this one.\nThe  Shell adds this one.\nNo full stop here\n\nThe shell adds another.\n')
    const first = cli('sentences', 'import', file, '--language', 'enk', '--source', 'cli test', '--status', 'approved')
    expect(first.status).toBe(0)
    const counts = JSON.parse(first.stdout.trim().split('\n').at(-1)!)
    expect(counts).toEqual({ lines: 5, accepted: 2, refused: 1, duplicates: 2, alreadyPresent: 0 })
    expect(counts.accepted + counts.refused + counts.duplicates + counts.alreadyPresent).toBe(counts.lines)
    const again = cli('sentences', 'import', file, '--language', 'enk')
    expect(again.status).toBe(0)
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).toEqual({ lines: 5, accepted: 0, refused: 1, duplicates: 2, alreadyPresent: 2 })
  })

  test('exit 64 on usage errors, 65 on an unreadable or undecodable file (naming the line)', () => {
    expect(cli('sentences', 'import').status).toBe(64)
    expect(cli('sentences', 'import', 'x.txt').status).toBe(64)
    expect(cli('sentences', 'import', 'x.txt', '--language', 'enk', '--status', 'live').status).toBe(64)
    const missing = cli('sentences', 'import', path.join(dir, 'nope.txt'), '--language', 'enk')
    expect(missing.status).toBe(65)
    expect(missing.stderr).toMatch(/no such file/)
    const bad = path.join(dir, 'bad.txt')
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('One good line.\nTwo good lines.\n'), Buffer.from([0x93]), Buffer.from('Quoted\x94 in Windows-1252.\n')]))
    const undecodable = cli('sentences', 'import', bad, '--language', 'enk')
    expect(undecodable.status).toBe(65)
    expect(undecodable.stderr).toMatch(/Line 3 is not valid UTF-8/)
    expect(undecodable.stdout).toBe('')
  })
})

describe('review', () => {
  let rv: number
  beforeAll(async () => {
    rv = Number((await server.payload.create({ collection: 'languages', data: { code: 'rvk', name: 'Review (curation)', nativeName: 'Review' } })).id)
  })
  const pendingId = async (text: string) => {
    const created = await server.payload.create({ collection: 'sentences', data: { text, language: rv, status: 'pending' } })
    return Number(created.id)
  }
  const review = (headers: Record<string, string>, id: number, body: Record<string, unknown>) =>
    fetch(`${server.url}/api/curation/sentences/${id}/review`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })

  test('N approvals (2 by default) approve a sentence through the vote rule; one person counts once', async () => {
    const id = await pendingId('Two reviewers approve this.')
    const second = await createUser(server, 'reviewer', 'curation-second')
    const first = await json(await review(reviewer.headers, id, { approve: true }))
    expect(first).toMatchObject({ status: 'pending', approvals: 1, rejections: 0, approvalsNeeded: 2 })
    // The same reviewer again changes nothing.
    expect(await json(await review(reviewer.headers, id, { approve: true }))).toMatchObject({ status: 'pending', approvals: 1 })
    expect(await json(await review(second.headers, id, { approve: true }))).toMatchObject({ status: 'approved', approvals: 2 })
    // Decided sentences are not reopened.
    const third = await createUser(server, 'reviewer', 'curation-third')
    expect((await review(third.headers, id, { approve: false, reason: 'late' })).status).toBe(409)
  })

  test('rejection needs a reason; N per language; a tie stays pending', async () => {
    await server.payload.update({ collection: 'languages', id: rv, data: { approvalsNeeded: 1 } })
    try {
      const id = await pendingId('One reviewer rejects this.')
      expect((await review(reviewer.headers, id, { approve: false })).status).toBe(400)
      const rejected = await json(await review(reviewer.headers, id, { approve: false, reason: 'misspelt' }))
      expect(rejected).toMatchObject({ status: 'rejected', rejections: 1, approvalsNeeded: 1 })
      expect((await server.payload.findByID({ collection: 'sentences', id })).rejectionReason).toBe('misspelt')
    } finally {
      await server.payload.update({ collection: 'languages', id: rv, data: { approvalsNeeded: 2 } })
    }
    const tie = await pendingId('A tie stays pending here.')
    const other = await createUser(server, 'reviewer', 'curation-tie')
    await review(reviewer.headers, tie, { approve: true })
    expect(await json(await review(other.headers, tie, { approve: false, reason: 'unclear' }))).toMatchObject({ status: 'pending', approvals: 1, rejections: 1 })
  })

  test('contributors and anonymous review only when the admin enables it', async () => {
    const id = await pendingId('Contributors may review this.')
    const anonymous = await mintAnonymous(server)
    expect((await review(contributor.headers, id, { approve: true })).status).toBe(403)
    expect((await review(anonymous.headers, id, { approve: true })).status).toBe(403)
    expect((await review({}, id, { approve: true })).status).toBe(403)
    await setSettings({ contributorsReviewSentences: true })
    try {
      const next = await json(await fetch(`${server.url}/api/curation/review/next?language=rvk&limit=50`, { headers: anonymous.headers }))
      expect(next.sentences.map((sentence: { id: number }) => sentence.id)).toContain(id)
      expect(await json(await review(anonymous.headers, id, { approve: true }))).toMatchObject({ approvals: 1, status: 'pending' })
      expect(await json(await review(contributor.headers, id, { approve: true }))).toMatchObject({ approvals: 2, status: 'approved' })
      // Reviewed sentences are not offered again to the same person.
      const after = await json(await fetch(`${server.url}/api/curation/review/next?language=rvk&limit=50`, { headers: anonymous.headers }))
      expect(after.sentences.map((sentence: { id: number }) => sentence.id)).not.toContain(id)
      // The approved sentence is servable on the site.
      const served = await json(await fetch(`${server.url}/api/site/next-sentences?language=rvk&limit=20`, { headers: (await mintAnonymous(server)).headers }))
      expect(served.sentences.map((sentence: { id: number }) => sentence.id)).toContain(id)
    } finally {
      await setSettings({ contributorsReviewSentences: false })
    }
  })
})

describe('reports, coverage and corpus files', () => {
  test('a reported sentence reaches the queue; a reviewer retires it, which keeps the sentence row (never deleted)', async () => {
    const sentence = await server.payload.create({ collection: 'sentences', data: { text: 'Someone reports this sentence.', language: en, status: 'approved' } })
    const reporter = await mintAnonymous(server)
    const reported = await fetch(`${server.url}/api/site/sentences/${sentence.id}/skip`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...reporter.headers },
      body: JSON.stringify({ reason: 'grammar-spelling' }),
    })
    expect(reported.status).toBe(200)
    expect((await fetch(`${server.url}/api/curation/reports?language=enk`, { headers: contributor.headers })).status).toBe(403)
    const queue = await json(await fetch(`${server.url}/api/curation/reports?language=enk`, { headers: reviewer.headers }))
    expect(queue.sentences.find((entry: { id: number }) => entry.id === sentence.id)).toMatchObject({ reports: 1, reasons: { 'grammar-spelling': 1 } })
    const retire = await fetch(`${server.url}/api/curation/sentences/${sentence.id}/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...reviewer.headers },
      body: JSON.stringify({ action: 'retire' }),
    })
    expect(await json(retire)).toEqual({ sentence: sentence.id, status: 'retired', resolved: 1 })
    expect((await server.payload.findByID({ collection: 'sentences', id: sentence.id })).status).toBe('retired')
    const after = await json(await fetch(`${server.url}/api/curation/reports?language=enk`, { headers: reviewer.headers }))
    expect(after.sentences.find((entry: { id: number }) => entry.id === sentence.id)).toBeUndefined()
  })

  test('coverage counts sentences by status, recordings per sentence and hours still to be had', async () => {
    expect((await fetch(`${server.url}/api/curation/coverage?language=bnk`, { headers: contributor.headers })).status).toBe(403)
    const coverage = await json(await fetch(`${server.url}/api/curation/coverage?language=bnk`, { headers: admin.headers }))
    expect(coverage.sentences).toEqual({ approved: 0, pending: 6, rejected: 0, retired: 0 })
    expect(coverage.recordingsHistogram).toHaveLength(11)
    const english = await json(await fetch(`${server.url}/api/curation/coverage?language=enk`, { headers: admin.headers }))
    expect(english.sentences.approved).toBeGreaterThan(0)
    expect(english.neverRecorded).toBe(english.sentences.approved)
    expect(english.secondsStillAvailable).toBeGreaterThan(0)
  })

  test('validated_sentences.tsv and unvalidated_sentences.tsv like Common Voice, for admins', async () => {
    const validated = await fetch(`${server.url}/api/curation/corpus/validated_sentences.tsv?language=enk`, { headers: admin.headers })
    expect(validated.status).toBe(200)
    const lines = (await validated.text()).trimEnd().split('\n')
    expect(lines[0]).toBe('sentence_id\tsentence\tsentence_domain\tsource\tis_used\tclips_count')
    expect(lines.some((line) => line.includes('\tApproved at once by the admin.\tgeneral\t\t1\t0'))).toBe(true)
    expect(lines.some((line) => line.includes('Someone reports this sentence.') && line.endsWith('\t0\t0'))).toBe(true)
    const unvalidated = await fetch(`${server.url}/api/curation/corpus/unvalidated_sentences.tsv?language=bnk`, { headers: admin.headers })
    const rows = (await unvalidated.text()).trimEnd().split('\n')
    expect(rows[0]).toBe('sentence_id\tsentence\tsentence_domain\tsource')
    expect(rows).toHaveLength(7)
    expect((await fetch(`${server.url}/api/curation/corpus/validated_sentences.tsv?language=enk`, { headers: reviewer.headers })).status).toBe(403)
  })

  test('text search (where[text][like]) finds Bengali and English sentences', async () => {
    const search = async (query: string) =>
      json(await fetch(`${server.url}/api/sentences?where[text][like]=${encodeURIComponent(query)}&limit=10&depth=0`, { headers: admin.headers }))
    expect((await search('স্বতন্ত্র প্রস্তুতি')).docs.map((doc: { text: string }) => doc.text)).toEqual(['পরীক্ষা শেষে স্বতন্ত্র প্রস্তুতি নিতে হবে।'])
    expect((await search('river runs')).docs.map((doc: { text: string }) => doc.text)).toEqual(['The river runs to the sea.'])
  })

  test('"try a sentence" explains which rule fails and why', async () => {
    const response = await fetch(`${server.url}/api/curation/try-rules`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...admin.headers },
      body: JSON.stringify({ text: 'আমার বয়স ২৫ বছর', language: bn }),
    })
    const body = await json(response)
    expect(body.ok).toBe(false)
    expect(body.failures.map((failure: { rule: string }) => failure.rule)).toEqual(['digits', 'terminal-punctuation'])
    expect((await fetch(`${server.url}/api/curation/try-rules`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...contributor.headers }, body: '{"text":"x"}' })).status).toBe(403)
  })
})
