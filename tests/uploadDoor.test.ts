import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { constant, speechLike, wav } from '@shrutik/plugin-sdk/testing'

import type { JobRuntime } from '../src/jobs/runtime'
import { tinyPng } from './helpers/audio'
import { testWith } from './helpers/plugins'
import { createUser, json, startTestServer, startWorker, type TestServer, type TestUser } from './helpers/server'

/**
 * The host's door and the installed processing, over HTTP: content sniffing turns away what is not
 * audio at all (a 4xx with a message, no row); every other hostile file is accepted and then refused
 * by processing, with a reason and no segments. (Which check refuses which file is the
 * audio-processing plugin's own test, on the SDK test kit.)
 */

let server: TestServer
let worker: JobRuntime
let contributor: TestUser
let languageId: number
let sentenceId: number
let dir: string
const files: Record<string, string> = {}

const ffmpeg = (args: string[]) => {
  const result = spawnSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args])
  if (result.status !== 0) throw new Error(String(result.stderr))
}

const file = (name: string, content: Buffer | Uint8Array) => {
  const target = path.join(dir, name)
  fs.writeFileSync(target, content)
  return target
}

const post = (content: Buffer, name: string) => {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(content)], { type: 'application/octet-stream' }), name)
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId }))
  return fetch(`${server.url}/api/recordings`, { method: 'POST', headers: contributor.headers, body: form })
}

const processed = async (id: number, timeoutMs = 40_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const doc = (await server.payload.findByID({ collection: 'recordings', id, depth: 0 })) as Record<string, any>
    if (['ready', 'rejected', 'failed'].includes(doc.audio?.status)) return doc
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`recording ${id} was not processed in time`)
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-door-'))
  const speech = speechLike([{ seconds: 1.2 }, { seconds: 0.5, pause: true }, { seconds: 1.5 }, { seconds: 0.4, pause: true }, { seconds: 1.4 }])
  const speechWav = file('speech.wav', wav(speech))
  ffmpeg(['-i', speechWav, '-c:a', 'libopus', path.join(dir, 'speech.webm')])
  ffmpeg(['-i', speechWav, '-c:a', 'flac', path.join(dir, 'speech.flac')])
  files.empty = file('empty.wav', Buffer.alloc(0))
  files.random = file('random.wav', Buffer.from(Array.from({ length: 8000 }, (_, i) => (i * 7919 + 13) % 256)))
  files.png = file('voice.webm', tinyPng())
  files.truncated = file('truncated.webm', fs.readFileSync(path.join(dir, 'speech.webm')).subarray(0, 3000))
  files.hourFlac = path.join(dir, 'hour.flac')
  ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '3600', '-c:a', 'flac', files.hourFlac])
  files.channels32 = file('ch32.wav', wav(speech.subarray(0, 16_000), { channels: 32 }))
  files.rate384 = file('sr384.wav', wav(constant(1, 'tone', { sampleRate: 384_000 }), { sampleRate: 384_000 }))
  files.silent = file('silent.wav', wav(constant(4, 'silence')))
  files.short = file('short.wav', wav(speechLike([{ seconds: 0.4 }])))
  files.clipped = file('clipped.wav', wav(speechLike([{ seconds: 3 }], { gain: 4 })))
  files.garbage = file(
    'garbage.wav',
    Buffer.concat([wav(new Float32Array(0), { declaredDataBytes: 160_000 }).subarray(0, 44), Buffer.from(Array.from({ length: 160_000 }, (_, i) => (i * 2654435761) % 256))]),
  )
  const flac = fs.readFileSync(path.join(dir, 'speech.flac'))
  files.garbageFlac = file('garbage.flac', Buffer.concat([flac.subarray(0, 200), Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i * 40503) % 256))]))

  server = await startTestServer()
  worker = await startWorker(server)
  contributor = await createUser(server, 'contributor', 'door')
  languageId = (await server.payload.create({ collection: 'languages', data: { code: 'dor', name: 'Doorish', nativeName: 'Doorish' } })).id as number
  sentenceId = (await server.payload.create({ collection: 'sentences', data: { text: 'Knock before you enter.', language: languageId, status: 'approved' } })).id as number
}, 90_000)

afterAll(async () => {
  await worker?.stop(5000)
  await server?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('hostile files through the API', () => {
  test.each(['empty', 'random', 'png'])('%s is refused at the door: a 4xx with a readable reason, and no row', async (name) => {
    const before = (await server.payload.count({ collection: 'recordings' })).totalDocs
    const response = await post(fs.readFileSync(files[name]), path.basename(files[name]))
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect((await json(response)).errors[0].message.length).toBeGreaterThan(15)
    expect((await server.payload.count({ collection: 'recordings' })).totalDocs).toBe(before)
  })

  // Processing is the audio plugin's: without it (SHRUTIK_TEST_WITHOUT) these uploads stay pending.
  for (const name of ['truncated', 'hourFlac', 'channels32', 'rate384', 'silent', 'short', 'clipped', 'garbage', 'garbageFlac']) {
    testWith(['audio-processing'], `${name} passes the door (it is audio) and processing refuses it with a reason, and no segments`, async () => {
      const response = await post(fs.readFileSync(files[name]), path.basename(files[name]))
      expect(response.status).toBe(201)
      const id = (await json(response)).doc.id as number
      const doc = await processed(id)
      expect(doc.audio.status).toBe('rejected')
      expect(doc.audio.failureReason.length).toBeGreaterThan(15)
      expect((await server.payload.count({ collection: 'segments' as never, where: { recording: { equals: id } } })).totalDocs).toBe(0)
    })
  }
})
