import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Written by hand. 1. Finer statistics on the sentence text: the planner estimates how many
 * sentences a search (`ILIKE '%word%'`) matches from a sample of texts, and with the default 100
 * its estimates are off by up to 100× for rarer words — enough to walk the whole newest-first index
 * for a word in a few hundred sentences (3 s at 1,000,000 instead of 4 ms). The estimates also
 * decide when the admin list shows "about N" (src/db/estimatedCount.ts).
 * 2. The admin's sentence list sorted by text. Payload orders by
 * `text ASC, created_at DESC` (its tie-break); this index gives that order as it is, and the
 * descending order by a backward scan plus an incremental sort of equal texts (which are rare).
 * Sentences are at most 800 UTF-16 code units (collections/Sentences/constants.ts), under 2,400
 * bytes, so every one fits a B-tree entry; a database holding longer ones from before that limit
 * keeps working without the index (and says so).
 */
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`ALTER TABLE "sentences" ALTER COLUMN "text" SET STATISTICS 1000;`)
  await db.execute(sql`
  DO $$
  BEGIN
    IF EXISTS (SELECT 1 FROM "sentences" WHERE octet_length("text") > 2400) THEN
      RAISE WARNING 'Some sentences are longer than 2,400 bytes: the admin list cannot be sorted by text quickly until they are shortened (then run this migration again).';
    ELSE
      CREATE INDEX IF NOT EXISTS "sentences_text_created_at_idx" ON "sentences" USING btree ("text", "created_at" DESC);
    END IF;
  END $$;`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`DROP INDEX IF EXISTS "sentences_text_created_at_idx";`)
  await db.execute(sql`ALTER TABLE "sentences" ALTER COLUMN "text" SET STATISTICS -1;`)
}
