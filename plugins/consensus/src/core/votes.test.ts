import { describe, expect, test } from '@jest/globals'

import { commonVoiceStatus, commonVoiceStrategy, dawidSkeneStrategy, voteStrategy, type VoteInput, type VoteStatus } from '.'
import { sample, seededRandom } from '../../test/random'

describe('Common Voice rule', () => {
  test.each([
    [0, 0, 'pending'],
    [1, 0, 'pending'],
    [2, 0, 'valid'],
    [2, 1, 'valid'],
    [2, 2, 'pending'],
    [3, 2, 'valid'],
    [0, 1, 'pending'],
    [0, 2, 'invalid'],
    [1, 2, 'invalid'],
    [2, 3, 'invalid'],
    [5, 5, 'pending'],
  ])('%i up, %i down → %s', (up, down, expected) => {
    expect(commonVoiceStatus(up, down)).toBe(expected)
  })

  test('counts one vote per contributor per item (the last one)', () => {
    const votes: VoteInput[] = [
      { item: 'r1', contributor: 'a', valid: true },
      { item: 'r1', contributor: 'a', valid: true },
      { item: 'r2', contributor: 'a', valid: false },
      { item: 'r2', contributor: 'b', valid: false },
      { item: 'r2', contributor: 'a', valid: true },
    ]
    expect(commonVoiceStrategy.decide(votes).items).toEqual([
      { item: 'r1', status: 'pending', up: 1, down: 0 },
      { item: 'r2', status: 'pending', up: 1, down: 1 },
    ])
  })

  test('the number of votes needed is an option', () => {
    expect(commonVoiceStrategy.decide([{ item: 'r', contributor: 'a', valid: true }], { minVotes: 1 }).items[0].status).toBe('valid')
  })
})

/** A simulated crowd: each item is truly valid with probability 0.7 and gets `votesPerItem` votes. */
const simulate = (seed: number, accuracies: Record<string, number>, items = 400, votesPerItem = 5) => {
  const random = seededRandom(seed)
  const contributors = Object.keys(accuracies)
  const truth = new Map<string, boolean>()
  const votes: VoteInput[] = []
  for (let index = 0; index < items; index++) {
    const item = `item${index}`
    const valid = random() < 0.7
    truth.set(item, valid)
    for (const pick of sample(random, contributors.length, votesPerItem)) {
      const contributor = contributors[pick]
      votes.push({ item, contributor, valid: random() < accuracies[contributor] ? valid : !valid })
    }
  }
  return { truth, votes }
}

const crowdOf = (groups: [string, number, number][]) =>
  Object.fromEntries(groups.flatMap(([name, count, accuracy]) => Array.from({ length: count }, (_, index) => [`${name}${index}`, accuracy])))

const share = (statuses: [VoteStatus | boolean, boolean][]) => statuses.filter(([decided, truth]) => decided === truth).length / statuses.length

describe('Dawid–Skene (one coin per contributor)', () => {
  const accuracies = crowdOf([
    ['good', 10, 0.9],
    ['random', 6, 0.5],
    ['adversarial', 4, 0.15],
  ])
  const { truth, votes } = simulate(7, accuracies)
  const result = dawidSkeneStrategy.decide(votes)

  test('recovers every planted accuracy within 0.08', () => {
    for (const [contributor, planted] of Object.entries(accuracies)) {
      expect(Math.abs((result.contributors.find((entry) => entry.contributor === contributor)?.accuracy ?? NaN) - planted)).toBeLessThan(0.08)
    }
  })

  test('labels more items right than the unweighted majority', () => {
    const majority = share(
      [...truth].map(([item, valid]) => {
        const itemVotes = votes.filter((vote) => vote.item === item)
        return [itemVotes.filter((vote) => vote.valid).length * 2 > itemVotes.length, valid]
      }),
    )
    const weighted = share(result.items.map((decision) => [(decision.posterior ?? 0) >= 0.5, truth.get(decision.item) ?? false]))
    expect(weighted).toBeGreaterThan(majority + 0.1)
    expect(weighted).toBeGreaterThan(0.95)
  })

  test('what it decides at the threshold is almost always right, the rest stays pending', () => {
    const decided = result.items.filter((decision) => decision.status !== 'pending')
    expect(decided.length / result.items.length).toBeGreaterThan(0.8)
    expect(share(decided.map((decision) => [decision.status === 'valid', truth.get(decision.item) ?? false]))).toBeGreaterThan(0.97)
  })

  test('a lone vote from a newcomer is not enough; two agreeing careful contributors are', () => {
    const withNewItems = dawidSkeneStrategy.decide([
      ...votes,
      { item: 'lone', contributor: 'newcomer', valid: true },
      { item: 'pair', contributor: 'good0', valid: false },
      { item: 'pair', contributor: 'good1', valid: false },
      { item: 'split', contributor: 'good2', valid: true },
      { item: 'split', contributor: 'good3', valid: false },
    ])
    const statusOf = (item: string) => withNewItems.items.find((decision) => decision.item === item)?.status
    expect([statusOf('lone'), statusOf('pair'), statusOf('split')]).toEqual(['pending', 'invalid', 'pending'])
  })

  test('gold items anchor the labels when most of the crowd votes against the truth', () => {
    const hostile = crowdOf([
      ['good', 4, 0.9],
      ['adversarial', 8, 0.2],
    ])
    const crowd = simulate(11, hostile, 300, 5)
    const accuracyOf = (decisions: { item: string; posterior?: number }[]) =>
      share(decisions.map((decision) => [(decision.posterior ?? 0) >= 0.5, crowd.truth.get(decision.item) ?? false]))
    const gold = Object.fromEntries([...crowd.truth].slice(0, 40))
    const anchored = dawidSkeneStrategy.decide(crowd.votes, { gold })
    expect(accuracyOf(dawidSkeneStrategy.decide(crowd.votes).items)).toBeLessThan(0.5)
    expect(accuracyOf(anchored.items)).toBeGreaterThan(0.9)
    expect(anchored.items.filter((decision) => decision.item in gold).every((decision) => decision.status === (gold[decision.item] ? 'valid' : 'invalid'))).toBe(true)
  })

  test('strategies are chosen by name', () => {
    expect(voteStrategy('common-voice')).toBe(commonVoiceStrategy)
    expect(voteStrategy('dawid-skene')).toBe(dawidSkeneStrategy)
    expect(() => voteStrategy('coin-flip')).toThrow('Unknown vote strategy "coin-flip": use one of common-voice, dawid-skene.')
  })
})
