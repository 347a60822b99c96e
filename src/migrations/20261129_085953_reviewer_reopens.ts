import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   ALTER TYPE "public"."enum_consensus_decisions_decision" ADD VALUE 'reopened';`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "consensus_decisions" ALTER COLUMN "decision" SET DATA TYPE text;
  DROP TYPE "public"."enum_consensus_decisions_decision";
  CREATE TYPE "public"."enum_consensus_decisions_decision" AS ENUM('accepted', 'rejected');
  ALTER TABLE "consensus_decisions" ALTER COLUMN "decision" SET DATA TYPE "public"."enum_consensus_decisions_decision" USING "decision"::"public"."enum_consensus_decisions_decision";`)
}
