import { PassThrough } from 'node:stream'

import { afterAll, beforeAll, expect, test } from '@jest/globals'
import winston from 'winston'

import { logger, requestContext } from '../src/lib/logger'
import { bootPayload, type Booted } from '../src/server/boot'

/** Payload's logger (pino) comes out through winston: one JSON format, one stream. */

let booted: Booted
let levels: { ours: string; payload: string }
const lines: Record<string, unknown>[] = []
const capture = new PassThrough()
capture.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>)
})
const transport = new winston.transports.Stream({ stream: capture, level: 'debug' })

beforeAll(async () => {
  booted = await bootPayload()
  logger.add(transport)
  // The run logs at `error`; this test needs to see warnings from both loggers.
  levels = { ours: logger.level, payload: booted.payload.logger.level }
  logger.level = 'debug'
  booted.payload.logger.level = 'debug'
})

afterAll(() => {
  logger.remove(transport)
  logger.level = levels.ours
  booted.payload.logger.level = levels.payload
})

test('a Payload log line has the same fields as ours, with the request id of the request it belongs to', async () => {
  requestContext.run({ requestId: 'req-log-1' }, () => {
    booted.payload.logger.error({ err: new Error('the disk is on fire'), msg: 'Payload could not write a file' })
    booted.payload.logger.warn('a plain Payload warning')
    logger.warn('one of ours')
  })
  await new Promise((resolve) => setImmediate(resolve))
  const fromPayload = lines.find((line) => line.message === 'Payload could not write a file')
  const plain = lines.find((line) => line.message === 'a plain Payload warning')
  const ours = lines.find((line) => line.message === 'one of ours')
  expect(fromPayload).toMatchObject({ level: 'error', source: 'payload', service: 'shrutik', requestId: 'req-log-1', error: 'the disk is on fire' })
  expect(plain).toMatchObject({ level: 'warn', source: 'payload', requestId: 'req-log-1' })
  // Same shape as ours: winston's level names and ISO timestamp, none of pino's numeric level, time, pid or hostname.
  for (const line of [fromPayload!, plain!]) {
    expect(Object.keys(ours!).filter((key) => key !== 'source' && !(key in line))).toEqual([])
    expect(line.timestamp).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/))
    for (const pinoOnly of ['time', 'pid', 'hostname', 'msg']) expect(line).not.toHaveProperty(pinoOnly)
  }
})
