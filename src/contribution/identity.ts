import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { emit, getContributorHandlers, type ContributorChangeResult } from '@shrutik/plugin-sdk'
import { APIError, type PayloadRequest } from 'payload'

import { clientCookieOf, FORGED_COOKIE_MESSAGE } from '../access/contributor'
import { clientCookieHeader, newClientId, signClientId } from '../lib/clientId'
import { logger } from '../lib/logger'
import { TERMS_VERSION } from '../lib/terms'
import { sentencePools } from './sentencePool'

type Drizzle = PostgresAdapter['drizzle']
type Rows<Row> = { rows: Row[]; rowCount?: number | null }

interface ContributorRow {
  user_id: number | null
  terms_version: string | null
  consented_at: string | null
  withdrawn_at: string | null
}

const drizzleOf = (req: PayloadRequest): Drizzle => (req.payload.db as unknown as PostgresAdapter).drizzle

const exec = async <Row = Record<string, unknown>>(db: Drizzle, query: ReturnType<typeof sql>): Promise<Rows<Row>> => (await db.execute(query)) as unknown as Rows<Row>

const secureCookies = (req: PayloadRequest): boolean => (req.payload.config.serverURL || '').startsWith('https:')

const rowOf = async (db: Drizzle, clientId: string): Promise<ContributorRow | undefined> =>
  (await exec<ContributorRow>(db, sql`SELECT user_id, terms_version, consented_at, withdrawn_at FROM contributors WHERE client_id = ${clientId}`)).rows[0]

/**
 * Records the current terms for this browser (and the signed-in account): keeps a valid issued id,
 * or mints a new one. A signed-in consent also claims what the browser did anonymously.
 */
export const recordConsent = async (req: PayloadRequest): Promise<{ cookies: string[] }> => {
  const db = drizzleOf(req)
  const state = clientCookieOf(req)
  const userId = req.user ? Number(req.user.id) : undefined
  let clientId: string | undefined
  let linkedUserId: number | undefined
  if (state.kind === 'signed' || state.kind === 'legacy') {
    const row = await rowOf(db, state.clientId)
    if (row && !row.withdrawn_at) {
      clientId = state.clientId
      linkedUserId = row.user_id ?? undefined
    }
  }
  if (clientId) {
    await exec(db, sql`UPDATE contributors SET terms_version = ${TERMS_VERSION}, consented_at = now(), updated_at = now() WHERE client_id = ${clientId}`)
  } else {
    clientId = newClientId()
    await exec(
      db,
      sql`INSERT INTO contributors (client_id, terms_version, consented_at, legacy, created_at, updated_at) VALUES (${clientId}, ${TERMS_VERSION}, now(), false, now(), now())`,
    )
  }
  if (req.user) {
    // For the account itself, under its own access rules.
    await req.payload.update({
      collection: 'users',
      id: req.user.id,
      data: { consent: { termsVersion: TERMS_VERSION, acceptedAt: new Date().toISOString() } },
      user: req.user,
      overrideAccess: false,
      req,
    })
    if (linkedUserId === undefined || linkedUserId === userId) {
      const claimed = await claimFor(req, clientId, userId!)
      return { cookies: claimed.cookies }
    }
  }
  return { cookies: [clientCookieHeader(signClientId(req.payload.secret, clientId, linkedUserId), secureCookies(req))] }
}

export interface ClaimResult {
  recordings: number
  transcriptions: number
  skips: number
  votes: number
  consensusSkips: number
  /** Judgments dropped because they conflicted (one's own recording, or judged twice), by kind. */
  dropped: Record<string, number>
  cookies: string[]
}

/** `POST /api/site/claim`: the signed-in account takes over this browser's anonymous work. */
export const claimContributions = async (req: PayloadRequest): Promise<ClaimResult> => {
  const state = clientCookieOf(req)
  if (state.kind === 'forged') throw new APIError(FORGED_COOKIE_MESSAGE, 401, undefined, true)
  if (state.kind === 'none') return { recordings: 0, transcriptions: 0, skips: 0, votes: 0, consensusSkips: 0, dropped: {}, cookies: [] }
  return claimFor(req, state.clientId, Number(req.user!.id))
}

const claimFor = async (req: PayloadRequest, clientId: string, userId: number): Promise<ClaimResult> => {
  const db = drizzleOf(req)
  const row = await rowOf(db, clientId)
  if (!row || row.withdrawn_at) throw new APIError(FORGED_COOKIE_MESSAGE, 401, undefined, true)
  if (row.user_id !== null && row.user_id !== userId) {
    throw new APIError('This browser is linked to another account. Sign out and sign in with that account, or use another browser.', 409, undefined, true)
  }
  const handlers = getContributorHandlers(req.payload.config)
  const afterCommit: NonNullable<ContributorChangeResult['after']>[] = []
  const moved = await db.transaction(async (transaction) => {
    const tx = transaction as unknown as Drizzle
    // Serialises two claims of one browser.
    const [contributor] = (await exec<{ id: number }>(tx, sql`SELECT id FROM contributors WHERE client_id = ${clientId} FOR UPDATE`)).rows
    await exec(tx, sql`UPDATE contributors SET user_id = ${userId}, updated_at = now() WHERE client_id = ${clientId}`)
    const recordings = await exec(tx, sql`UPDATE recordings SET owner_id = ${userId}, client_id = NULL WHERE client_id = ${clientId} AND owner_id IS NULL`)
    const counts: Record<string, number> = {}
    const dropped: Record<string, number> = {}
    for (const handler of handlers) {
      if (!handler.claim) continue
      const result = await handler.claim({ db: tx, payload: req.payload, clientId, userId })
      for (const [kind, n] of Object.entries(result.counts ?? {})) counts[kind] = (counts[kind] ?? 0) + n
      for (const [kind, n] of Object.entries(result.dropped ?? {})) dropped[kind] = (dropped[kind] ?? 0) + n
      if (result.after) afterCommit.push(result.after)
    }
    // What the account already did itself wins over the browser's duplicate.
    const duplicateTranscriptions = await exec(
      tx,
      sql`DELETE FROM transcriptions t WHERE t.client_id = ${clientId} AND EXISTS (SELECT 1 FROM transcriptions o WHERE o.item_id = t.item_id AND o.author_id = ${userId})`,
    )
    const transcriptions = await exec(tx, sql`UPDATE transcriptions SET author_id = ${userId}, client_id = NULL WHERE client_id = ${clientId}`)
    const duplicateSkips = await exec(
      tx,
      sql`DELETE FROM sentence_skips k WHERE k.client_id = ${clientId} AND EXISTS (SELECT 1 FROM sentence_skips o WHERE o.sentence_id = k.sentence_id AND o.user_id = ${userId})`,
    )
    const skips = await exec(tx, sql`UPDATE sentence_skips SET user_id = ${userId}, client_id = NULL WHERE client_id = ${clientId}`)
    // The browser's weekly goals become the account's, unless the account has its own.
    await exec(
      tx,
      sql`UPDATE contributor_profiles SET key = ${`u:${userId}`}, user_id = ${userId}, updated_at = now()
           WHERE key = ${`c:${clientId}`} AND NOT EXISTS (SELECT 1 FROM contributor_profiles WHERE key = ${`u:${userId}`})`,
    )
    await exec(tx, sql`DELETE FROM contributor_profiles WHERE key = ${`c:${clientId}`}`)
    // The browser's consent, given before signing in, is the account's too.
    if (row.terms_version) {
      await exec(
        tx,
        sql`UPDATE users SET consent_terms_version = ${row.terms_version}, consent_accepted_at = ${row.consented_at}
             WHERE id = ${userId} AND (consent_terms_version IS NULL OR consent_terms_version < ${row.terms_version})`,
      )
    }
    // Plugins hear of it only if the claim commits.
    if (contributor) await emit(req.payload, 'contributor.claimed', { userId, contributorId: contributor.id }, { db: tx })
    dropped.transcriptions = (dropped.transcriptions ?? 0) + (duplicateTranscriptions.rowCount ?? 0)
    dropped.skips = duplicateSkips.rowCount ?? 0
    return {
      recordings: recordings.rowCount ?? 0,
      transcriptions: transcriptions.rowCount ?? 0,
      skips: skips.rowCount ?? 0,
      votes: counts.votes ?? 0,
      consensusSkips: counts.consensusSkips ?? 0,
      dropped: Object.fromEntries(Object.entries(dropped).filter(([, n]) => n > 0)),
    }
  })
  for (const after of afterCommit) {
    // The claim stands even if a follow-up cannot be queued; the hourly jobs catch up.
    await after().catch((error: Error) => logger.warn('a follow-up of a claim failed', { error: error.message }))
  }
  sentencePools(req.payload).noteClaimed(clientId, userId)
  return { ...moved, cookies: [clientCookieHeader(signClientId(req.payload.secret, clientId, userId), secureCookies(req))] }
}
