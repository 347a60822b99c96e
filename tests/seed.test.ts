import { afterAll, beforeAll, expect, test } from '@jest/globals'

import { seed } from '../src/seed'
import { startTestServer, type TestServer } from './helpers/server'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

test('seed loads Bengali and English with at least 100 approved CC0 sentences each, and is idempotent', async () => {
  await seed(server.payload)
  const again = await seed(server.payload)
  expect(again.languagesCreated).toBe(0)
  expect(again.sentencesCreated).toBe(0)

  const languages = await (await fetch(`${server.url}/api/languages?limit=100`)).json()
  const codes = languages.docs.map((doc: { code: string }) => doc.code)
  expect(codes).toEqual(expect.arrayContaining(['bn', 'en']))
  for (const code of ['bn', 'en']) {
    const language = languages.docs.find((doc: { code: string }) => doc.code === code)
    const sentences = await server.payload.find({ collection: 'sentences', where: { language: { equals: language.id } }, limit: 1 })
    expect(sentences.totalDocs).toBeGreaterThanOrEqual(100)
    const sample = await server.payload.find({ collection: 'sentences', where: { language: { equals: language.id } }, limit: 300 })
    expect(sample.docs.every((doc) => doc.status === 'approved' && doc.licence === 'CC0-1.0')).toBe(true)
  }
  const bengali = await server.payload.find({ collection: 'sentences', where: { 'language.code': { equals: 'bn' } }, limit: 300 })
  // Real Bengali script, not transliteration.
  expect(bengali.docs.every((doc) => /[\u0980-\u09FF]/.test(doc.text as string) && !/[A-Za-z0-9]/.test(doc.text as string))).toBe(true)
})
