import { describe, expect, test } from '@jest/globals'
import { getDecisionSource, getRegisteredJobs } from '@shrutik/plugin-sdk'
import type { Config } from 'payload'

import { consensusPlugin } from '.'
import { accountsOnly, sanitizeOptions } from './options'

/** The plugin as a config transform: what it adds, what `enabled: false` keeps, and how options are checked. */

const baseConfig = (): Config =>
  ({
    collections: [
      { slug: 'segments', fields: [{ name: 'file', type: 'text' }], hooks: { beforeDelete: [() => undefined] } },
      { slug: 'transcriptions', fields: [{ name: 'text', type: 'text' }], hooks: { beforeChange: [({ data }: { data: unknown }) => data] } },
    ],
    endpoints: [{ path: '/mine', method: 'get', handler: () => Response.json({}) }],
    hooks: { afterError: [() => undefined] },
    admin: { components: { afterNavLinks: ['/mine#Link'] } },
  }) as unknown as Config

const slugs = (config: Config) => (config.collections ?? []).map((collection) => collection.slug)

describe('consensusPlugin', () => {
  test('adds its collections, the decision join on segments, endpoints under /consensus/, two jobs and the review view — after what was there', () => {
    const config = consensusPlugin({})(baseConfig())
    expect(slugs(config)).toEqual(['segments', 'transcriptions', 'votes', 'consensus-skips', 'contributor-reliability', 'consensus-decisions', 'segment-decisions'])
    const segments = config.collections![0]
    expect(segments.fields.map((field) => ('name' in field ? field.name : undefined))).toEqual(['file', 'consensus'])
    // A join to its own `segment-decisions`: no column on the audio plugin's table.
    expect(segments.fields[1]).toMatchObject({ type: 'join', collection: 'segment-decisions', on: 'segment' })
    expect(getDecisionSource(config)?.plugin).toBe('consensus')
    expect(segments.hooks?.beforeDelete).toHaveLength(2)
    expect(config.collections![1].hooks?.beforeChange).toHaveLength(2)
    expect(config.endpoints!.map((endpoint) => endpoint.path)).toEqual([
      '/mine',
      '/consensus/next-validation',
      '/consensus/next-transcription',
      '/consensus/skip',
      '/consensus/segments/:id/decide',
      '/consensus/segments/:id/audio',
      '/consensus/review-queue',
      '/consensus/estimate-reliability',
    ])
    expect(getRegisteredJobs(config).map((job) => [job.name, job.every])).toEqual([
      ['consensus.on-segment-ready', undefined],
      ['consensus.evaluate-segment', undefined],
      ['consensus.estimate-reliability', '1 hour'],
    ])
    expect(config.admin?.components?.views?.consensusReview).toMatchObject({ path: '/review' })
    expect(config.admin?.components?.afterNavLinks).toEqual(['/mine#Link', '@shrutik/plugin-consensus/admin#ReviewNavLink'])
    expect(config.hooks?.afterError).toHaveLength(2)
  })

  test('enabled: false keeps the schema and the integrity checks, adds no behaviour', () => {
    const config = consensusPlugin({ enabled: false })(baseConfig())
    expect(slugs(config)).toEqual(['segments', 'transcriptions', 'votes', 'consensus-skips', 'contributor-reliability', 'consensus-decisions', 'segment-decisions'])
    expect(config.endpoints!.map((endpoint) => endpoint.path)).toEqual(['/mine'])
    // Only the listener that learns each segment's task from the audio plugin: schema-level, it keeps the serving indexes whole.
    expect(getRegisteredJobs(config).map((job) => job.name)).toEqual(['consensus.on-segment-ready'])
    expect(config.admin?.components?.views).toBeUndefined()
    const votes = config.collections!.find((collection) => collection.slug === 'votes')!
    expect(votes.hooks?.beforeChange).toHaveLength(2)
    expect(votes.hooks?.afterChange).toBeUndefined()
  })

  test('without the segments it judges (no audio-processing plugin) it adds nothing: no audio to judge', () => {
    const withoutSegments = { collections: [{ slug: 'transcriptions', fields: [] }] } as unknown as Config
    expect(consensusPlugin({})(withoutSegments)).toBe(withoutSegments)
  })

  test('a schedule of false registers the estimate job without a repeat', () => {
    const config = consensusPlugin({ reliabilitySchedule: false })(baseConfig())
    expect(getRegisteredJobs(config).find((job) => job.name === 'consensus.estimate-reliability')?.every).toBeUndefined()
  })
})

describe('options', () => {
  test('defaults', () => {
    const settings = sanitizeOptions({})
    expect(settings).toMatchObject({ enabled: true, maxPerSpeaker: 2, maxBatch: 20, reliabilitySchedule: '1 hour' })
    expect(settings.decision).toMatchObject({ voteStrategy: 'dawid-skene', transcriptStrategy: 'reliability', posteriorThreshold: 0.95, minVotes: 2, maxVotes: 4, minTranscriptions: 2, maxTranscriptions: 7, transcriptConfidenceThreshold: 0.65, transcriptConfidenceDecay: 0.8, transcriptAgreement: true, transcriptAgreementTolerance: 0.05 })
    expect(settings.slugs).toEqual({ segments: 'segments', recordings: 'recordings', transcriptions: 'transcriptions', users: 'users', languages: 'languages' })
  })

  test.each([
    [{ voteStrategy: 'majority' }, /voteStrategy must be one of dawid-skene, common-voice/],
    [{ transcriptStrategy: 'best' }, /transcriptStrategy must be one of reliability, rover, medoid/],
    [{ posteriorThreshold: 0.4 }, /posteriorThreshold/],
    [{ posteriorThreshold: 1 }, /posteriorThreshold/],
    [{ transcriptConfidenceThreshold: 0 }, /transcriptConfidenceThreshold/],
    [{ transcriptConfidenceDecay: 1 }, /transcriptConfidenceDecay must be in \[0, 1\)/],
    [{ transcriptConfidenceDecay: -0.1 }, /transcriptConfidenceDecay must be in \[0, 1\)/],
    [{ transcriptAgreement: 'yes' }, /transcriptAgreement must be true or false/],
    [{ transcriptAgreementTolerance: -0.01 }, /transcriptAgreementTolerance must be in \[0, 0.5\]/],
    [{ transcriptAgreementTolerance: 0.6 }, /transcriptAgreementTolerance must be in \[0, 0.5\]/],
    [{ transcriptAgreementTolerance: Number.NaN }, /transcriptAgreementTolerance must be in \[0, 0.5\]/],
    [{ minVotes: 0 }, /minVotes must be a whole number/],
    [{ maxTranscriptions: 2.5 }, /maxTranscriptions must be a whole number/],
    [{ minVotes: 5, maxVotes: 3 }, /minVotes must not exceed maxVotes/],
    [{ minTranscriptions: 8 }, /minTranscriptions must not exceed maxTranscriptions/],
    [{ maxBatch: 500 }, /maxBatch/],
    [{ maxPerSpeaker: 0 }, /maxPerSpeaker/],
  ])('%j is refused at config time', (options, message) => {
    expect(() => sanitizeOptions({ ...options } as never)).toThrow(message)
  })

  test('without an `identify` option only accounts judge, and the host decides consent', async () => {
    expect(sanitizeOptions({}).identify).toBe(accountsOnly)
    expect(await accountsOnly({ user: null } as never)).toBeUndefined()
    expect(await accountsOnly({ user: { id: '7' } } as never)).toEqual({ userId: 7, consented: true })
    expect(() => sanitizeOptions({ untrustedWeight: 0 })).toThrow(/untrustedWeight/)
  })
})
