import { randomInt } from 'node:crypto'

import type { Payload } from 'payload'

import { NEXT_SENTENCES_SQL, NEXT_SENTENCES_STATEMENT, nextSentences, siteReadPool, type Contributor, type ServedSentence } from './nextSentences'

/**
 * The site's hottest read, served from memory: per language, the few thousand sentences the
 * serving query would start from (the least-recorded tier, from a random point of `shuffle`),
 * each with who has already recorded, skipped or reported it. A request picks from there with no
 * database round trip; the answer is the one `nextSentences` would give, with the same rules:
 *
 * - least recorded first, from a random point among equals;
 * - never a sentence this contributor recorded, skipped or reported.
 *
 * The pool holds every approved sentence of the language below its highest tier T and some of
 * tier T, so anything outside it has at least T recordings: the lowest-tier picks from the pool
 * are never beaten by a sentence outside it. When the pool cannot fill a batch for a contributor
 * (they have done most of it), the request runs the exact SQL instead.
 *
 * Freshness: what this process writes (a recording, a skip, a claim, an edited sentence) updates
 * the pool at once, so a contributor never gets back what they just recorded. What other
 * processes write (a bulk import, a second web process) is picked up by the refresh, every
 * `maxAgeMs` while the language is asked for, in the background (requests never wait for it,
 * except the very first for a language).
 */

export interface SentencePoolOptions {
  /** Sentences held per language. */
  size: number
  /** A pool older than this is reloaded in the background on the next request. */
  maxAgeMs: number
}

export const DEFAULT_POOL_OPTIONS: SentencePoolOptions = { size: 2000, maxAgeMs: 5000 }

/** How a contributor is told apart in a pool: `u:<user id>` and/or `c:<client id>`. */
const keysOf = (contributor: Contributor): string[] => {
  const keys: string[] = []
  if (contributor.userId !== undefined) keys.push(`u:${contributor.userId}`)
  if (contributor.clientId) keys.push(`c:${contributor.clientId}`)
  return keys
}

/** The identity a stored row carries: the account when there is one, else the client id. */
const storedKeys = (by: Contributor): string[] => (by.userId !== undefined ? [`u:${by.userId}`] : by.clientId ? [`c:${by.clientId}`] : [])

interface Candidate {
  id: number
  text: string
  count: number
  /** Position in its tier's bucket (swap-remove keeps moves O(1)). */
  slot: number
  /** Contributor keys that recorded, skipped or reported it. */
  done?: Set<string>
}

type Note =
  | { kind: 'recorded' | 'skipped'; sentence: number; keys: string[]; at: number }
  | { kind: 'claimed'; clientId: string; userId: number; at: number }
  | { kind: 'changed'; sentence: number | undefined; at: number }

/** Notes are kept this long, to be replayed onto a pool whose load was in flight when they happened. */
const NOTE_KEEP_MS = 60_000
const NOTE_KEEP_MAX = 20_000

class LanguagePool {
  readonly byId = new Map<number, Candidate>()
  readonly buckets = new Map<number, Candidate[]>()
  /** Tiers present, ascending. */
  tiers: number[] = []
  /** How many it held when read. */
  loadedSize = 0

  constructor(
    /** Every approved sentence of the language is here (fewer than the pool size). */
    readonly complete: boolean,
    /** The highest tier held; sentences outside have at least this many recordings. */
    readonly maxTier: number,
    /** When its read began; 0 marks it stale (reloaded on the next request). */
    public loadedAt: number,
  ) {}

  add(candidate: Candidate): void {
    let bucket = this.buckets.get(candidate.count)
    if (!bucket) {
      bucket = []
      this.buckets.set(candidate.count, bucket)
      this.tiers.push(candidate.count)
      this.tiers.sort((a, b) => a - b)
    }
    candidate.slot = bucket.length
    bucket.push(candidate)
    this.byId.set(candidate.id, candidate)
  }

  remove(candidate: Candidate): void {
    const bucket = this.buckets.get(candidate.count)!
    const last = bucket.pop()!
    if (last !== candidate) {
      bucket[candidate.slot] = last
      last.slot = candidate.slot
    }
    this.byId.delete(candidate.id)
    // Half gone (recorded past the highest tier, retired): reload on the next request.
    if (this.byId.size * 2 < this.loadedSize) this.loadedAt = 0
  }

  /** One more recording by `keys`: excluded for them, and one tier up (out, past the highest tier held). */
  recorded(id: number, keys: string[]): void {
    const candidate = this.byId.get(id)
    if (!candidate) return
    const fresh = keys.filter((key) => !candidate.done?.has(key))
    if (fresh.length === 0) return
    for (const key of fresh) (candidate.done ??= new Set()).add(key)
    this.remove(candidate)
    candidate.count += 1
    if (this.complete || candidate.count <= this.maxTier) this.add(candidate)
  }

  skipped(id: number, keys: string[]): void {
    const candidate = this.byId.get(id)
    if (candidate) for (const key of keys) (candidate.done ??= new Set()).add(key)
  }

  claimed(clientId: string, userId: number): void {
    const from = `c:${clientId}`
    for (const candidate of this.byId.values()) {
      if (candidate.done?.has(from)) candidate.done.add(`u:${userId}`)
    }
  }

  /** `limit` sentences for a contributor, or undefined when the pool cannot answer exactly. */
  pick(keys: string[], limit: number): ServedSentence[] | undefined {
    const picked: ServedSentence[] = []
    for (const tier of this.tiers) {
      const bucket = this.buckets.get(tier)!
      const n = bucket.length
      if (n === 0) continue
      for (let step = 0, i = randomInt(n); step < n; step++, i = i + 1 === n ? 0 : i + 1) {
        const candidate = bucket[i]
        const done = candidate.done
        if (done && keys.some((key) => done.has(key))) continue
        picked.push({ id: candidate.id, text: candidate.text, recordingCount: candidate.count })
        if (picked.length === limit) return picked
      }
    }
    return this.complete ? picked : undefined
  }

  /**
   * Applies what this process wrote. `replay` is for a pool whose read ran meanwhile: recordings,
   * skips and claims are idempotent, but the snapshot may hold a changed sentence in either
   * state, so that only marks it stale.
   */
  apply(note: Note, replay = false): void {
    if (note.kind === 'recorded') this.recorded(note.sentence, note.keys)
    else if (note.kind === 'skipped') this.skipped(note.sentence, note.keys)
    else if (note.kind === 'claimed') this.claimed(note.clientId, note.userId)
    else {
      const candidate = note.sentence === undefined || replay ? undefined : this.byId.get(note.sentence)
      if (candidate) this.remove(candidate)
      this.loadedAt = 0
    }
  }
}

export interface PoolStats {
  /** Batches answered from memory. */
  served: number
  /** Batches the pool could not fill, answered by the SQL query. */
  fellBack: number
  loads: number
}

export class SentencePools {
  private readonly pools = new Map<number, LanguagePool>()
  private readonly loading = new Map<number, Promise<LanguagePool>>()
  /** Bumped by invalidate(): a load started before it is not installed. */
  private readonly generations = new Map<number, number>()
  private notes: Note[] = []
  readonly stats: PoolStats = { served: 0, fellBack: 0, loads: 0 }

  constructor(
    private readonly payload: Payload,
    readonly options: SentencePoolOptions = DEFAULT_POOL_OPTIONS,
  ) {}

  /** The next `limit` sentences for `contributor`: from memory when the pool can answer, else by SQL. */
  async next(languageId: number, limit: number, contributor: Contributor): Promise<ServedSentence[]> {
    let pool = this.pools.get(languageId)
    if (!pool) pool = await this.load(languageId)
    else if (Date.now() - pool.loadedAt > this.options.maxAgeMs) {
      // Stale: reload in the background; this request is answered from what is here.
      this.load(languageId).catch((error: Error) => this.payload.logger.warn({ msg: 'sentence pool reload failed', languageId, error: error.message }))
    }
    const picked = limit <= this.options.size ? pool.pick(keysOf(contributor), limit) : undefined
    if (picked) {
      this.stats.served++
      return picked
    }
    this.stats.fellBack++
    return nextSentences(this.payload, { languageId, limit, contributor })
  }

  /**
   * A recording of `sentence` was stored by this process, under the identity the row carries (the
   * account when signed in, else the client id): not served to them again, one tier up for others.
   */
  noteRecorded(sentence: number, by: Contributor): void {
    this.note({ kind: 'recorded', sentence, keys: storedKeys(by), at: Date.now() })
  }

  /** A skip or report, under the identity the row carries. */
  noteSkipped(sentence: number, by: Contributor): void {
    this.note({ kind: 'skipped', sentence, keys: storedKeys(by), at: Date.now() })
  }

  /** An anonymous browser's contributions became an account's. */
  noteClaimed(clientId: string, userId: number): void {
    this.note({ kind: 'claimed', clientId, userId, at: Date.now() })
  }

  /**
   * A sentence was added, edited or deleted: an edited or deleted one leaves the pool at once, and
   * the language reloads in the background on its next request.
   */
  noteSentenceChanged(sentence?: number): void {
    this.note({ kind: 'changed', sentence, at: Date.now() })
  }

  /** Forget a language's pool; the next request loads it again and waits for it. */
  invalidate(languageId: number): void {
    this.generations.set(languageId, (this.generations.get(languageId) ?? 0) + 1)
    this.pools.delete(languageId)
    this.loading.delete(languageId)
  }

  private note(note: Note): void {
    if ((note.kind === 'recorded' || note.kind === 'skipped') && note.keys.length === 0) return
    for (const pool of this.pools.values()) pool.apply(note)
    this.notes.push(note)
    const cutoff = note.at - NOTE_KEEP_MS
    if (this.notes.length > NOTE_KEEP_MAX || this.notes[0].at < cutoff) {
      this.notes = this.notes.filter((kept) => kept.at >= cutoff).slice(-NOTE_KEEP_MAX)
    }
  }

  private load(languageId: number): Promise<LanguagePool> {
    const inFlight = this.loading.get(languageId)
    if (inFlight) return inFlight
    const generation = this.generations.get(languageId) ?? 0
    const started = Date.now()
    const promise = this.read(languageId, started)
      .then((pool) => {
        // Whatever this process wrote while the read ran is applied on top (idempotent: a
        // recording already in the snapshot has its contributor in `done`).
        for (const note of this.notes) if (note.at >= started - 1000) pool.apply(note, true)
        if ((this.generations.get(languageId) ?? 0) === generation) this.pools.set(languageId, pool)
        this.stats.loads++
        return pool
      })
      .finally(() => {
        if (this.loading.get(languageId) === promise) this.loading.delete(languageId)
      })
    this.loading.set(languageId, promise)
    return promise
  }

  private async read(languageId: number, at: number): Promise<LanguagePool> {
    const db = siteReadPool(this.payload)
    const size = this.options.size
    // The serving statement itself, for nobody in particular: the first `size` sentences anyone would get.
    const { rows } = await db.query<{ id: number; text: string; recording_count: string }>({
      name: NEXT_SENTENCES_STATEMENT,
      text: NEXT_SENTENCES_SQL,
      values: [languageId, size, null, null, randomInt(2 ** 31 - 1)],
    })
    const complete = rows.length < size
    const maxTier = rows.length ? Number(rows[rows.length - 1].recording_count) : 0
    const pool = new LanguagePool(complete, maxTier, at)
    for (const row of rows) pool.add({ id: Number(row.id), text: row.text, count: Number(row.recording_count), slot: 0 })
    pool.loadedSize = rows.length
    if (rows.length) {
      const { rows: done } = await db.query<{ sentence_id: number; user_id: number | null; client_id: string | null }>({
        name: 'shrutik-sentence-pool-done',
        text: `SELECT sentence_id, owner_id AS user_id, client_id FROM recordings WHERE sentence_id = ANY($1::int[])
          UNION ALL SELECT sentence_id, user_id, client_id FROM sentence_skips WHERE sentence_id = ANY($1::int[])`,
        values: [rows.map((row) => Number(row.id))],
      })
      for (const row of done) {
        const candidate = pool.byId.get(Number(row.sentence_id))
        if (!candidate) continue
        candidate.done ??= new Set()
        if (row.user_id !== null) candidate.done.add(`u:${row.user_id}`)
        if (row.client_id !== null) candidate.done.add(`c:${row.client_id}`)
      }
    }
    return pool
  }
}

const registry = new WeakMap<object, SentencePools>()

/** This process's pools for a Payload instance (one per database). */
export const sentencePools = (payload: Payload): SentencePools => {
  let pools = registry.get(payload.db)
  if (!pools) {
    pools = new SentencePools(payload, {
      size: Number(process.env.SITE_SENTENCE_POOL_SIZE ?? DEFAULT_POOL_OPTIONS.size),
      maxAgeMs: Number(process.env.SITE_SENTENCE_POOL_MAX_AGE_MS ?? DEFAULT_POOL_OPTIONS.maxAgeMs),
    })
    registry.set(payload.db, pools)
  }
  return pools
}
