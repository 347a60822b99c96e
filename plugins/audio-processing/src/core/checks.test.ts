import { describe, expect, test } from '@jest/globals'

import { checkContainer, checkSignal, DEFAULT_CHECK_OPTIONS, verdict, type AnalysisFacts, type ProbeFacts } from '.'

const probe: ProbeFacts = { formatName: 'matroska,webm', declaredDurationMs: 5000, audioStreams: 1, codec: 'opus', sampleRate: 48_000, channels: 1 }
const good: AnalysisFacts = { decodedDurationMs: 5000, hitDecodeCap: false, decodeErrors: 0, integratedLufs: -22, silenceRatio: 0.3, clippingRatio: 0, snrEstimateDb: 35 }

const codes = (checks: { code: string; severity: string }[]) => checks.map((check) => `${check.code}:${check.severity}`)

describe('checkContainer', () => {
  test.each([
    ['accepts browser WebM/Opus', 1000, probe, []],
    ['accepts M4A/AAC', 1000, { ...probe, formatName: 'mov,mp4,m4a,3gp,3g2,mj2', codec: 'aac' }, []],
    ['empty file', 0, probe, ['empty:error']],
    ['over the size cap', DEFAULT_CHECK_OPTIONS.maxFileBytes + 1, probe, ['too-large:error']],
    ['nothing readable', 1000, undefined, ['not-audio:error']],
    ['video without audio', 1000, { ...probe, audioStreams: 0 }, ['not-audio:error']],
    ['unknown container', 1000, { ...probe, formatName: 'avi' }, ['container-not-allowed:error']],
    ['unknown codec', 1000, { ...probe, codec: 'pcm_alaw' }, ['codec-not-allowed:error']],
    ['32 channels', 1000, { ...probe, codec: 'pcm_s16le', formatName: 'wav', channels: 32 }, ['too-many-channels:error']],
    ['384 kHz', 1000, { ...probe, sampleRate: 384_000 }, ['sample-rate-too-high:error']],
    ['4 kHz', 1000, { ...probe, sampleRate: 4000 }, ['sample-rate-too-low:error']],
    ['claims an hour', 1000, { ...probe, declaredDurationMs: 3_600_000 }, ['too-long:error']],
  ])('%s', (_name, size, facts, expected) => {
    expect(codes(checkContainer(size, facts as ProbeFacts | undefined))).toEqual(expected)
  })
})

describe('checkSignal', () => {
  test.each([
    ['a good take', good, [], {}],
    ['decoding hit the cap', { ...good, hitDecodeCap: true, decodedDurationMs: 1_801_000 }, ['too-long:error'], {}],
    ['claims 5 s, holds 0.3 s', { ...good, decodedDurationMs: 300 }, ['truncated:error', 'too-short:error'], {}],
    ['damaged data', { ...good, decodeErrors: 12 }, ['corrupt:error'], {}],
    ['too short (and said so)', { ...good, decodedDurationMs: 600 }, ['too-short:error'], { declaredDurationMs: 600 }],
    ['silent', { ...good, silenceRatio: 1, integratedLufs: undefined, snrEstimateDb: 0 }, ['silent:error'], {}],
    ['too quiet', { ...good, integratedLufs: -55 }, ['too-quiet:error'], {}],
    ['quiet', { ...good, integratedLufs: -40 }, ['quiet:warning'], {}],
    ['noise, not a voice', { ...good, integratedLufs: -2, snrEstimateDb: 1 }, ['too-loud:error', 'noisy:warning'], {}],
    ['badly clipped', { ...good, clippingRatio: 0.2 }, ['clipped:error'], {}],
    ['a little clipped', { ...good, clippingRatio: 0.02 }, ['clipping:warning'], {}],
    ['noisy', { ...good, snrEstimateDb: 6 }, ['noisy:warning'], {}],
  ])('%s', (_name, analysis, expected, probeOverride: Partial<ProbeFacts>) => {
    expect(codes(checkSignal({ ...probe, ...probeOverride }, analysis as AnalysisFacts))).toEqual(expected)
  })

  test('every check carries a message a person can act on', () => {
    const all = [
      ...checkContainer(0, probe),
      ...checkContainer(1000, { ...probe, channels: 32, sampleRate: 384_000, declaredDurationMs: 3_600_000 }),
      ...checkSignal(probe, { ...good, decodedDurationMs: 300, silenceRatio: 1, integratedLufs: undefined, clippingRatio: 0.3 }),
    ]
    for (const check of all) expect(check.message).toMatch(/^[A-Z].{15,}\.$/)
  })

  test('thresholds are options', () => {
    const lenient = { ...DEFAULT_CHECK_OPTIONS, minDurationMs: 100, truncationRatio: 0 }
    expect(checkSignal(probe, { ...good, decodedDurationMs: 300 }, lenient)).toEqual([])
  })
})

describe('verdict', () => {
  test('the first error decides; warnings alone accept', () => {
    expect(verdict([{ code: 'noisy', severity: 'warning', message: 'x' }])).toMatchObject({ ok: true, code: 'ok' })
    expect(verdict([{ code: 'noisy', severity: 'warning', message: 'x' }, { code: 'silent', severity: 'error', message: 'The recording is silent.' }])).toEqual({
      ok: false,
      code: 'silent',
      message: 'The recording is silent.',
    })
  })
})
