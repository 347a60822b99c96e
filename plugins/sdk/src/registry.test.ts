import { describe, expect, test } from '@jest/globals'
import type { Config, Payload } from 'payload'

import { getJobQueue, getRegisteredJobs, JobValidationError, PermanentJobError, provideServices, registerJobs, servicesOf, setJobQueue, type JobDefinition } from '.'
import { createMemoryQueue, runJobHandler } from './testing'

const job = (name: string, extra: Partial<JobDefinition> = {}): JobDefinition => ({ name, async handler() {}, ...extra })

describe('registerJobs', () => {
  test('adds jobs to the config, keeping what other plugins registered', () => {
    const config = registerJobs(registerJobs({} as Config, [job('audio.process-recording')]), [job('export.build-dataset')])
    expect(getRegisteredJobs(config).map((definition) => definition.name)).toEqual(['audio.process-recording', 'export.build-dataset'])
  })

  test('refuses a duplicate name at boot, naming it', () => {
    const config = registerJobs({} as Config, [job('audio.process-recording')])
    expect(() => registerJobs(config, [job('audio.process-recording')])).toThrow(/"audio.process-recording" is registered twice/)
    expect(() => registerJobs({} as Config, [job('a.b'), job('a.b')])).toThrow(/registered twice/)
  })

  test('refuses names that are not <plugin-slug>.<verb-noun>', () => {
    for (const name of ['process', 'Audio.Process', 'audio.', 'audio process.x', 'a.b.c']) {
      expect(() => registerJobs({} as Config, [job(name)])).toThrow(/must look like/)
    }
  })
})

describe('getJobQueue', () => {
  test('says clearly when no runtime is running', () => {
    setJobQueue(undefined)
    expect(() => getJobQueue()).toThrow(/job queue is not running/)
    const queue = createMemoryQueue()
    setJobQueue(queue)
    expect(getJobQueue()).toBe(queue)
    setJobQueue(undefined)
  })
})

describe('testing helpers', () => {
  test('the memory queue records enqueues, validates like the real one and dedupes by key', async () => {
    const definitions = [job('audio.process-recording', { validate: (data) => (typeof (data as { id?: unknown }).id === 'number' ? undefined : 'id must be a number') })]
    const queue = createMemoryQueue(definitions)
    const first = await queue.enqueue('audio.process-recording', { id: 1 }, { dedupeKey: 'r1' })
    const again = await queue.enqueue('audio.process-recording', { id: 1 }, { dedupeKey: 'r1' })
    expect(again).toEqual({ jobId: first.jobId, deduplicated: true })
    expect(queue.take('audio.process-recording')).toHaveLength(1)
    await expect(queue.enqueue('audio.process-recording', { id: 'x' })).rejects.toThrow(JobValidationError)
    await expect(queue.enqueue('nope.nothing', {})).rejects.toThrow(/Unknown job/)
  })

  test('runJobHandler validates first and passes progress and logs through', async () => {
    const definition: JobDefinition = {
      name: 'demo.count',
      validate: (data) => ((data as { n?: number }).n! > 0 ? undefined : 'n must be positive'),
      async handler({ data, touch, log }) {
        await touch(50)
        log('counted', { n: (data as { n: number }).n })
      },
    }
    const payload = {} as never
    const result = await runJobHandler(definition, { payload, data: { n: 3 } })
    expect(result.progress).toEqual([50])
    expect(result.logs).toEqual([{ message: 'counted', meta: { n: 3 }, level: 'info' }])
    await expect(runJobHandler(definition, { payload, data: { n: 0 } })).rejects.toThrow(PermanentJobError)
  })
})

describe('registerCommands', () => {
  const command = (name: string) => ({ name, help: 'ARGS\n  What it does.', run: async () => 0 })

  test('adds a plugin’s CLI commands, keeping other plugins’, in order', async () => {
    const { getRegisteredCommands, registerCommands } = await import('../src')
    const config = registerCommands(registerCommands({} as Config, 'audio', [command('inspect'), command('segment')]), 'consensus', [command('aggregate')])
    expect(getRegisteredCommands(config).map(({ plugin, commands }) => [plugin, commands.map((entry) => entry.name)])).toEqual([
      ['audio', ['inspect', 'segment']],
      ['consensus', ['aggregate']],
    ])
  })

  test('refuses a group registered twice, a duplicate command and names that are not one lower-case word', async () => {
    const { registerCommands } = await import('../src')
    const config = registerCommands({} as Config, 'audio', [command('inspect')])
    expect(() => registerCommands(config, 'audio', [command('other')])).toThrow(/"audio" are registered twice/)
    expect(() => registerCommands({} as Config, 'audio', [command('inspect'), command('inspect')])).toThrow(/"audio inspect" is registered twice/)
    expect(() => registerCommands({} as Config, 'Audio Tools', [])).toThrow(/one lower-case word/)
    expect(() => registerCommands({} as Config, 'audio', [command('--rm')])).toThrow(/one lower-case word/)
  })

  test('CommandError carries the exit status (64 usage by default)', async () => {
    const { CommandError } = await import('../src')
    expect(new CommandError('bad').status).toBe(64)
    expect(new CommandError('unreadable', 66).status).toBe(66)
  })
})

describe('services handed to a Payload instance', () => {
  test('each instance gets its own queue; without one, the deprecated process-wide queue is the fallback', async () => {
    const first = createMemoryQueue()
    const second = createMemoryQueue()
    const fallback = createMemoryQueue()
    const payloadA = {} as Payload
    const payloadB = {} as Payload
    provideServices(payloadA, { queue: first })
    provideServices(payloadB, { queue: second, settings: { serverURL: 'http://b.example' } })
    setJobQueue(fallback)
    try {
      await getJobQueue(payloadA).enqueue('test.a' as never, {} as never)
      await getJobQueue(payloadB).enqueue('test.b' as never, {} as never)
      await getJobQueue().enqueue('test.c' as never, {} as never)
      await getJobQueue({} as Payload).enqueue('test.d' as never, {} as never)
      expect([first, second, fallback].map((queue) => queue.enqueued.map((entry) => entry.name))).toEqual([['test.a'], ['test.b'], ['test.c', 'test.d']])
      // Later services merge with earlier ones; a stopped runtime takes its queue back.
      provideServices(payloadB, { queue: undefined })
      expect(servicesOf(payloadB)).toEqual({ queue: undefined, settings: { serverURL: 'http://b.example' } })
      expect(getJobQueue(payloadB)).toBe(fallback)
    } finally {
      setJobQueue(undefined)
    }
    expect(() => getJobQueue({} as Payload)).toThrow(/not running/)
  })
})

describe('segment source', () => {
  test('one plugin provides segments; none means no audio; a second is refused', async () => {
    const { getSegmentSource, registerSegmentSource } = await import('./index')
    const empty = { collections: [] } as unknown as Config
    expect(getSegmentSource(empty)).toBeUndefined()
    const config = registerSegmentSource(empty, { plugin: 'cutter', audioKey: (file) => (file.includes('..') ? undefined : `processed/${file}`) })
    expect(getSegmentSource(config)?.audioKey('1/run/a.ogg')).toBe('processed/1/run/a.ogg')
    expect(getSegmentSource(config)?.audioKey('../etc/passwd')).toBeUndefined()
    expect(() => registerSegmentSource(config, { plugin: 'other', audioKey: () => undefined })).toThrow(/registered twice \(by "cutter" and "other"\)/)
  })
})
