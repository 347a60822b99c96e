import { randomInt } from 'node:crypto'

import type { Payload } from 'payload'

import { settings } from '../lib/env'
import { NEXT_SENTENCES_SQL, NEXT_SENTENCES_STATEMENT, nextSentences, siteReadPool, type Contributor, type ServedSentence } from './nextSentences'

/**
 * The site's hottest read, served from memory: per language, the few thousand sentences the
 * serving query would start from (the least-recorded tier, from a random point of `shuffle`),
 * each with its recordings and who has recorded, skipped or reported it. A request picks from
 * there with no database round trip, under the same rules as `nextSentences`:
 *
 * - approved sentences of the language;
 * - never one this contributor recorded, skipped or reported;
 * - least recorded first (nothing left out has fewer recordings than a sentence served), from a
 *   random point among equals.
 *
 * The pool holds every approved sentence of the language below its highest tier T and some of
 * tier T, so anything outside it has at least T recordings: the lowest-tier picks from the pool
 * are never beaten by a sentence outside it. A sentence recorded past T leaves the pool. When the
 * pool cannot fill a batch for a contributor (they have done most of it), the exact SQL runs.
 *
 * Freshness: what this process writes (a recording, a skip, a claim, an edited sentence) updates
 * the pool at once, so a contributor never gets back what they just recorded. What other
 * processes write, and what is too rare to track (deleted recordings), is picked up by the
 * reload: every `maxAgeMs` while the language is asked for, in the background (requests never
 * wait for it, except the very first for a language). Each reload reads one consistent snapshot;
 * notes made while it ran are applied on top, idempotently (recordings are counted by id).
 */

export interface SentencePoolOptions {
  /** Sentences held per language; 0 turns the pool off (every batch by SQL). */
  size: number
  /** A pool older than this is reloaded in the background on the next request. */
  maxAgeMs: number
}

/** How a contributor is told apart in a pool: `u:<user id>` and/or `c:<client id>`. */
const keysOf = (contributor: Contributor): string[] => {
  const keys: string[] = []
  if (contributor.userId !== undefined) keys.push(`u:${contributor.userId}`)
  if (contributor.clientId) keys.push(`c:${contributor.clientId}`)
  return keys
}

/** The identity a stored row carries: the account when there is one, else the client id. */
const storedKey = (by: Contributor): string | undefined => (by.userId !== undefined ? `u:${by.userId}` : by.clientId ? `c:${by.clientId}` : undefined)

interface Candidate {
  id: number
  text: string
  count: number
  /** Position in its tier's bucket (swap-remove keeps moves O(1)). */
  slot: number
  /** Recordings counted in `count`, by id: a note about one already counted changes nothing. */
  recordings?: Set<number>
  /** Contributor keys that recorded, skipped or reported it. */
  done?: Set<string>
}

type Note =
  /** `cancelled`: its transaction rolled back (never replayed). */
  | { kind: 'recorded'; sentence: number; recording: number; key: string; at: number; cancelled?: boolean }
  | { kind: 'skipped'; sentence: number; key: string; at: number }
  | { kind: 'claimed'; clientId: string; userId: number; at: number }
  /** A sentence edited or deleted (leaves the pool), or added (the pool is reloaded). */
  | { kind: 'changed'; sentence: number; language?: number; created: boolean; at: number }
  /** Something the pool does not track exactly (a deleted recording): reload. */
  | { kind: 'stale'; language?: number; at: number }

/** Notes are kept this long (and at most this many), for a reload in flight when they were made. */
const NOTE_KEEP_MS = 60_000
const NOTE_KEEP_MAX = 20_000
/** Notes this much older than a reload's start are already in its snapshot. */
const REPLAY_MARGIN_MS = 1000
/** After a failed reload, the pool is kept this long before the next try. */
const RELOAD_RETRY_MS = 2000
/** A language's pool not asked for this long is dropped, so memory follows the languages in use. */
const IDLE_DROP_MS = 10 * 60_000

class LanguagePool {
  readonly byId = new Map<number, Candidate>()
  readonly buckets = new Map<number, Candidate[]>()
  /** Tiers present, ascending. */
  tiers: number[] = []
  /** How many it held when read. */
  loadedSize = 0
  /** Last asked for: a language nobody asks for is dropped (see IDLE_DROP_MS). */
  usedAt = Date.now()

  constructor(
    readonly languageId: number,
    /** Every approved sentence of the language is here (fewer than the pool size). */
    public complete: boolean,
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

  /** One more recording: excluded for its contributor, and one tier up (out, past the highest tier held). */
  recorded(id: number, recording: number, key: string): void {
    const candidate = this.byId.get(id)
    if (!candidate || candidate.recordings?.has(recording)) return
    ;(candidate.recordings ??= new Set()).add(recording)
    ;(candidate.done ??= new Set()).add(key)
    this.remove(candidate)
    candidate.count += 1
    if (this.complete || candidate.count <= this.maxTier) this.add(candidate)
  }

  skipped(id: number, key: string): void {
    const candidate = this.byId.get(id)
    if (candidate) (candidate.done ??= new Set()).add(key)
  }

  /**
   * The browser's rows now carry the account. Skips the account had already made keep their
   * client id in the database; the reload this triggers puts those back.
   */
  claimed(clientId: string, userId: number): void {
    const from = `c:${clientId}`
    for (const candidate of this.byId.values()) {
      if (candidate.done?.delete(from)) candidate.done.add(`u:${userId}`)
    }
    this.loadedAt = 0
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

  /** Applies a note; all are idempotent, so replaying one the snapshot already holds is harmless. */
  apply(note: Note): void {
    if (note.kind === 'recorded') {
      if (!note.cancelled) this.recorded(note.sentence, note.recording, note.key)
    }
    else if (note.kind === 'skipped') this.skipped(note.sentence, note.key)
    else if (note.kind === 'claimed') this.claimed(note.clientId, note.userId)
    else if (note.language === undefined || note.language === this.languageId) {
      if (note.kind === 'changed' && !note.created) {
        // Out until the reload reads it as it now is; a short batch then goes to SQL.
        const candidate = this.byId.get(note.sentence)
        if (candidate) this.remove(candidate)
        this.complete = false
      }
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
  /** Recent notes, oldest first, from `head` on (a queue trimmed in O(1) amortised). */
  private notes: Note[] = []
  private head = 0
  readonly stats: PoolStats = { served: 0, fellBack: 0, loads: 0 }

  constructor(
    private readonly payload: Payload,
    public options: SentencePoolOptions,
  ) {}

  /** The next `limit` sentences for `contributor`: from memory when the pool can answer, else by SQL. */
  async next(languageId: number, limit: number, contributor: Contributor): Promise<ServedSentence[]> {
    if (this.options.size > 0 && limit <= this.options.size) {
      let pool = this.pools.get(languageId)
      if (!pool) pool = await this.load(languageId)
      else if (Date.now() - pool.loadedAt > this.options.maxAgeMs) {
        // Stale: reload in the background; this request is answered from what is here.
        this.load(languageId).catch((error: Error) => {
          pool!.loadedAt = Date.now() - this.options.maxAgeMs + RELOAD_RETRY_MS
          this.payload.logger.warn({ msg: 'sentence pool reload failed; serving the previous one', languageId, error: error.message })
        })
      }
      pool.usedAt = Date.now()
      const picked = pool.pick(keysOf(contributor), limit)
      if (picked) {
        this.stats.served++
        return picked
      }
    }
    this.stats.fellBack++
    return nextSentences(this.payload, { languageId, limit, contributor })
  }

  /**
   * A recording of `sentence` was stored by this process, under the identity its row carries (the
   * account when signed in, else the client id): not served to them again, one tier up for others.
   */
  noteRecorded(sentence: number, recording: number, by: Contributor): void {
    const key = storedKey(by)
    if (key) this.note({ kind: 'recorded', sentence, recording, key, at: Date.now() })
  }

  /**
   * A recording is gone (deleted, or its transaction rolled back after it was noted): its note is
   * never replayed, and the language reloads to undo it here.
   */
  noteRecordingGone(recording: number, language?: number): void {
    for (let i = this.head; i < this.notes.length; i++) {
      const note = this.notes[i]
      if (note.kind === 'recorded' && note.recording === recording) note.cancelled = true
    }
    this.noteStale(language)
  }

  /** A skip or report, under the identity its row carries. */
  noteSkipped(sentence: number, by: Contributor): void {
    const key = storedKey(by)
    if (key) this.note({ kind: 'skipped', sentence, key, at: Date.now() })
  }

  /** An anonymous browser's contributions became an account's. */
  noteClaimed(clientId: string, userId: number): void {
    this.note({ kind: 'claimed', clientId, userId, at: Date.now() })
  }

  /**
   * A sentence was added, edited or deleted: an edited or deleted one leaves the pool at once, and
   * the language reloads in the background on its next request.
   */
  noteSentenceChanged(sentence: number, language: number | undefined, created: boolean): void {
    this.note({ kind: 'changed', sentence, language, created, at: Date.now() })
  }

  /** Something changed that the pool does not follow exactly (a recording deleted or moved): reload. */
  noteStale(language?: number): void {
    this.note({ kind: 'stale', language, at: Date.now() })
  }

  /** Forget a language's pool; the next request loads it again and waits for it. */
  invalidate(languageId: number): void {
    this.generations.set(languageId, (this.generations.get(languageId) ?? 0) + 1)
    this.pools.delete(languageId)
    this.loading.delete(languageId)
  }

  private note(note: Note): void {
    for (const pool of this.pools.values()) pool.apply(note)
    this.notes.push(note)
    const cutoff = note.at - NOTE_KEEP_MS
    while (this.head < this.notes.length && this.notes[this.head].at < cutoff) this.head++
    if (this.notes.length - this.head > NOTE_KEEP_MAX) this.head = this.notes.length - NOTE_KEEP_MAX
    if (this.head > 1024 && this.head * 2 > this.notes.length) {
      this.notes = this.notes.slice(this.head)
      this.head = 0
    }
  }

  private load(languageId: number): Promise<LanguagePool> {
    const inFlight = this.loading.get(languageId)
    if (inFlight) return inFlight
    const generation = this.generations.get(languageId) ?? 0
    const started = Date.now()
    const promise = this.read(languageId, started)
      .then((pool) => {
        // What this process wrote while the read ran, on top (newest last).
        let from = this.notes.length
        while (from > this.head && this.notes[from - 1].at >= started - REPLAY_MARGIN_MS) from--
        for (let i = from; i < this.notes.length; i++) pool.apply(this.notes[i])
        if ((this.generations.get(languageId) ?? 0) === generation) this.pools.set(languageId, pool)
        for (const [id, idle] of this.pools) if (Date.now() - idle.usedAt > IDLE_DROP_MS) this.pools.delete(id)
        this.stats.loads++
        return pool
      })
      .finally(() => {
        if (this.loading.get(languageId) === promise) this.loading.delete(languageId)
      })
    this.loading.set(languageId, promise)
    return promise
  }

  /** One consistent snapshot: the sentences anyone would be served first, and their recordings and skips. */
  private async read(languageId: number, at: number): Promise<LanguagePool> {
    const client = await siteReadPool(this.payload).connect()
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const size = this.options.size
      // The serving statement itself, for nobody in particular.
      const { rows } = await client.query<{ id: number; text: string; recording_count: string }>({
        name: NEXT_SENTENCES_STATEMENT,
        text: NEXT_SENTENCES_SQL,
        values: [languageId, size, null, null, randomInt(2 ** 31 - 1)],
      })
      const complete = rows.length < size
      const maxTier = rows.length ? Number(rows[rows.length - 1].recording_count) : 0
      const pool = new LanguagePool(languageId, complete, maxTier, at)
      for (const row of rows) pool.add({ id: Number(row.id), text: row.text, count: Number(row.recording_count), slot: 0 })
      pool.loadedSize = rows.length
      if (rows.length) {
        const { rows: done } = await client.query<{ sentence_id: number; recording: number | null; user_id: number | null; client_id: string | null }>({
          name: 'shrutik-sentence-pool-done',
          text: `SELECT sentence_id, id AS recording, owner_id AS user_id, client_id FROM recordings WHERE sentence_id = ANY($1::int[])
            UNION ALL SELECT sentence_id, NULL, user_id, client_id FROM sentence_skips WHERE sentence_id = ANY($1::int[])`,
          values: [rows.map((row) => Number(row.id))],
        })
        for (const row of done) {
          const candidate = pool.byId.get(Number(row.sentence_id))
          if (!candidate) continue
          if (row.recording !== null) (candidate.recordings ??= new Set()).add(Number(row.recording))
          candidate.done ??= new Set()
          if (row.user_id !== null) candidate.done.add(`u:${row.user_id}`)
          if (row.client_id !== null) candidate.done.add(`c:${row.client_id}`)
        }
      }
      await client.query('COMMIT')
      return pool
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }
}

const registry = new WeakMap<object, SentencePools>()

/** This process's pools for a Payload instance (one per database). */
export const sentencePools = (payload: Payload): SentencePools => {
  let pools = registry.get(payload.db)
  if (!pools) {
    const { sentencePoolSize, sentencePoolMaxAgeMs } = settings()
    pools = new SentencePools(payload, { size: sentencePoolSize, maxAgeMs: sentencePoolMaxAgeMs })
    registry.set(payload.db, pools)
  }
  return pools
}
