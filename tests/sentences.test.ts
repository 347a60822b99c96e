import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

let server: TestServer
let reviewer: TestUser
let bn: number
let en: number

const add = (text: string, language: number) =>
  fetch(`${server.url}/api/sentences`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...reviewer.headers },
    body: JSON.stringify({ text, language }),
  })

beforeAll(async () => {
  server = await startTestServer()
  reviewer = await createUser(server, 'reviewer', 'curator')
  bn = (await server.payload.create({ collection: 'languages', data: { code: 'bnx', name: 'Bengali (test)', nativeName: 'বাংলা' } })).id as number
  en = (
    await server.payload.create({
      collection: 'languages',
      data: { code: 'enx', name: 'English (test)', nativeName: 'English', sentenceRules: { minWords: 2, maxWords: 6, allowedCharacters: "a-zA-Z .,?!'" } },
    })
  ).id as number
})
afterAll(async () => {
  await server?.close()
})

describe('sentence dedupe', () => {
  test('Unicode-equivalent spellings of one Bengali sentence are one sentence', async () => {
    const composed = 'আমি \u0995\u09CB\u09A5\u09BE\u09AF\u09BC যাব?'
    const decomposed = '  আমি   \u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC যাব? '
    const first = await add(composed, bn)
    expect(first.status).toBe(201)
    expect((await json(first)).doc.text).toBe(composed)
    const second = await add(decomposed, bn)
    expect(second.status).toBe(400)
    expect(JSON.stringify(await json(second))).toMatch(/already in the Bengali \(test\) corpus/)
  })

  test('the same text in another language is a different sentence', async () => {
    expect((await add('Good morning to you.', en)).status).toBe(201)
    expect((await add('good   MORNING to you.', en)).status).toBe(400)
  })

  test('the database enforces it even when the friendly check is bypassed by a race', async () => {
    const text = 'Racing sentences arrive together.'
    const results = await Promise.all(Array.from({ length: 8 }, () => add(text, en)))
    const statuses = results.map((response) => response.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.every((status) => status === 201 || status === 400)).toBe(true)
    const stored = await server.payload.find({ collection: 'sentences', where: { text: { equals: text } } })
    expect(stored.totalDocs).toBe(1)
  })

  test("a language's sentence rules are applied with a clear message", async () => {
    const response = await add('Hi', en)
    expect(response.status).toBe(400)
    expect(JSON.stringify(await json(response))).toMatch(/needs at least 2/)
    const bad = await add('Call me at 555 now', en)
    expect((await json(bad)).errors[0].data.errors[0].message).toBe('The character "5" is not allowed in this language\'s sentences.')
  })

  test('editing a sentence into a duplicate of another is refused', async () => {
    const one = (await json(await add('The first of two.', en))).doc.id
    await add('The second of two.', en)
    const response = await fetch(`${server.url}/api/sentences/${one}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', ...reviewer.headers },
      body: JSON.stringify({ text: 'The second of  two.' }),
    })
    expect(response.status).toBe(400)
    expect((await server.payload.findByID({ collection: 'sentences', id: one })).text).toBe('The first of two.')
  })
})
