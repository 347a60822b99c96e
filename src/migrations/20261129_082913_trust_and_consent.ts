import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TABLE "contributors" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"client_id" varchar NOT NULL,
  	"user_id" integer,
  	"terms_version" varchar,
  	"consented_at" timestamp(3) with time zone,
  	"withdrawn_at" timestamp(3) with time zone,
  	"legacy" boolean DEFAULT false,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "contributors_id" integer;
  ALTER TABLE "contributors" ADD CONSTRAINT "contributors_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE UNIQUE INDEX "contributors_client_id_idx" ON "contributors" USING btree ("client_id");
  CREATE INDEX "contributors_user_idx" ON "contributors" USING btree ("user_id");
  CREATE INDEX "contributors_withdrawn_at_idx" ON "contributors" USING btree ("withdrawn_at");
  CREATE INDEX "contributors_updated_at_idx" ON "contributors" USING btree ("updated_at");
  CREATE INDEX "contributors_created_at_idx" ON "contributors" USING btree ("created_at");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_contributors_fk" FOREIGN KEY ("contributors_id") REFERENCES "public"."contributors"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "payload_locked_documents_rels_contributors_id_idx" ON "payload_locked_documents_rels" USING btree ("contributors_id");`)
  // The migration path for browsers that contributed before ids were server-issued: every client id
  // found in the data becomes a (legacy) issued id, so its unsigned cookie keeps working and is
  // swapped for a signed one on its next request (src/server/legacyClientCookie.ts). Until now the
  // only way to hold an id was the consent endpoint, which required the then-current terms.
  await db.execute(sql`
   INSERT INTO "contributors" ("client_id", "terms_version", "consented_at", "legacy")
   SELECT DISTINCT lower(client_id), '2026-11-26', now(), true FROM (
     SELECT client_id FROM "recordings" UNION SELECT client_id FROM "transcriptions" UNION SELECT client_id FROM "sentence_skips"
     UNION SELECT client_id FROM "votes" UNION SELECT client_id FROM "consensus_skips" UNION SELECT client_id FROM "contributor_reliability"
   ) ids
   WHERE client_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
   ON CONFLICT ("client_id") DO NOTHING;`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "contributors" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "contributors" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_contributors_fk";
  
  DROP INDEX "payload_locked_documents_rels_contributors_id_idx";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "contributors_id";`)
}
