import { UNDECIDED, type DecisionSource, type DecisionStatus, type SegmentDecision } from '@shrutik/plugin-sdk'

import { drizzleOf, rowsOf, sql, table } from './db'
import { VOTES } from './options'
import { DECISION_ROWS } from './views'

interface DecisionRow {
  segment_id: number
  status: DecisionStatus | null
  agreed_text: string | null
  confidence: string | number | null
  method: string | null
  decided_by: 'crowd' | 'reviewer' | null
  up_votes: string | number
  down_votes: string | number
}

/**
 * This plugin's decisions for the plugins that export segments (`registerDecisionSource`): one
 * query per batch, on its own table and votes, in the order asked. System read.
 */
export const decisionSource: DecisionSource = {
  plugin: 'consensus',
  decisionsOf: async ({ payload, segmentIds }) => {
    const decisions = new Map<number, SegmentDecision>()
    const ids = [...new Set(segmentIds.filter((id) => Number.isSafeInteger(id)))]
    if (ids.length === 0) return decisions
    const rows = await rowsOf<DecisionRow>(
      drizzleOf(payload),
      sql`SELECT x.id AS segment_id, d.status, d.agreed_text, d.confidence, d.method, d.decided_by,
                 coalesce(v.up_votes, 0) AS up_votes, coalesce(v.down_votes, 0) AS down_votes
            FROM (SELECT value::int AS id FROM jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)) x
            LEFT JOIN ${DECISION_ROWS} d ON d.segment_id = x.id
            LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE t.valid) AS up_votes, count(*) FILTER (WHERE NOT t.valid) AS down_votes
                                 FROM ${table(VOTES)} t WHERE t.segment_id = x.id) v ON TRUE`,
    )
    for (const row of rows) {
      decisions.set(Number(row.segment_id), {
        ...UNDECIDED,
        status: row.status ?? 'pending',
        agreedText: row.agreed_text,
        confidence: row.confidence === null ? null : Number(row.confidence),
        method: row.method,
        decidedBy: row.decided_by,
        upVotes: Number(row.up_votes),
        downVotes: Number(row.down_votes),
      })
    }
    return decisions
  },
}
