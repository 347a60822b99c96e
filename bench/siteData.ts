import type { Payload } from 'payload'
import type pg from 'pg'

/**
 * The bench database shared by bench:site and bench:backup: a language "bnb" with `sentences`
 * approved sentences and `recordings` prompt recordings by `contributors` cookie ids, weighted to
 * the low sentence ids. Seeded once (by SQL; Payload would take hours) and kept in `out`.
 * Returns the language id.
 */
export const ensureSiteBenchData = async ({
  payload,
  pool,
  sentences,
  recordings,
  contributors,
  out,
}: {
  payload: Payload
  pool: pg.Pool
  sentences: number
  recordings: number
  contributors: string[]
  out: string
}): Promise<number> => {
  const language = await payload.find({ collection: 'languages', where: { code: { equals: 'bnb' } }, limit: 1 })
  let languageId = language.docs[0]?.id as number | undefined
  const { rows: counted } = await pool.query('SELECT count(*)::int AS n FROM sentences WHERE language_id = $1', [languageId ?? -1])
  if (languageId && counted[0].n >= sentences) return languageId
  console.log(`seeding ${sentences.toLocaleString()} sentences and ${recordings.toLocaleString()} recordings (once; kept in ${out})...`)
  if (!languageId) languageId = (await payload.create({ collection: 'languages', data: { code: 'bnb', name: 'Bench Bengali', nativeName: 'বেঞ্চ' } })).id as number
  const started = performance.now()
  await pool.query('DELETE FROM recordings WHERE language_id = $1', [languageId])
  await pool.query('DELETE FROM sentences WHERE language_id = $1', [languageId])
  await pool.query(
    `INSERT INTO sentences (text, language_id, normalized_hash, status, recording_count, shuffle)
     SELECT 'বাক্য নম্বর ' || g || ' পড়ার জন্য একটি উদাহরণ।', $1, md5(g::text), 'approved', 0, floor(random() * 2147483647)
     FROM generate_series(1, $2::int) g`,
    [languageId, sentences],
  )
  await pool.query(
    `INSERT INTO recordings (client_id, language_id, mode, sentence_id, filename, mime_type, filesize, consent_version)
     SELECT ($3::text[])[1 + floor(random() * $5::int)::int], $1, 'prompt', base.lo + floor(power(random(), 2) * ($4::int - 1))::int,
       'bench-' || g || '.webm', 'audio/webm', 20000, 'bench'
     FROM generate_series(1, $2::int) g, (SELECT min(id) AS lo FROM sentences WHERE language_id = $1) base`,
    [languageId, recordings, contributors, sentences, contributors.length],
  )
  await pool.query(
    `UPDATE sentences s SET recording_count = c.n FROM (SELECT sentence_id, count(*) AS n FROM recordings WHERE language_id = $1 GROUP BY sentence_id) c WHERE c.sentence_id = s.id`,
    [languageId],
  )
  await pool.query('ANALYZE sentences; ANALYZE recordings; ANALYZE sentence_skips')
  console.log(`   seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return languageId
}
