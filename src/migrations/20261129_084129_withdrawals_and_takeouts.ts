import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_withdrawals_kind" AS ENUM('anonymous', 'account', 'account-deleted');
  CREATE TYPE "public"."enum_withdrawals_status" AS ENUM('removing-files', 'done');
  CREATE TYPE "public"."enum_takeouts_status" AS ENUM('queued', 'ready', 'failed');
  CREATE TABLE "withdrawals" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"kind" "enum_withdrawals_kind" NOT NULL,
  	"recordings" numeric DEFAULT 0,
  	"votes" numeric DEFAULT 0,
  	"transcriptions" numeric DEFAULT 0,
  	"skips" numeric DEFAULT 0,
  	"status" "enum_withdrawals_status" DEFAULT 'removing-files',
  	"completed_at" timestamp(3) with time zone,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "takeouts" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"user_id" integer,
  	"client_id" varchar,
  	"status" "enum_takeouts_status" DEFAULT 'queued',
  	"file" varchar,
  	"bytes" numeric,
  	"expires_at" timestamp(3) with time zone,
  	"error" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "recordings" ADD COLUMN "withdrawal_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "withdrawals_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "takeouts_id" integer;
  ALTER TABLE "takeouts" ADD CONSTRAINT "takeouts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "withdrawals_status_idx" ON "withdrawals" USING btree ("status");
  CREATE INDEX "withdrawals_updated_at_idx" ON "withdrawals" USING btree ("updated_at");
  CREATE INDEX "withdrawals_created_at_idx" ON "withdrawals" USING btree ("created_at");
  CREATE INDEX "takeouts_user_idx" ON "takeouts" USING btree ("user_id");
  CREATE INDEX "takeouts_client_id_idx" ON "takeouts" USING btree ("client_id");
  CREATE INDEX "takeouts_expires_at_idx" ON "takeouts" USING btree ("expires_at");
  CREATE INDEX "takeouts_updated_at_idx" ON "takeouts" USING btree ("updated_at");
  CREATE INDEX "takeouts_created_at_idx" ON "takeouts" USING btree ("created_at");
  ALTER TABLE "recordings" ADD CONSTRAINT "recordings_withdrawal_id_withdrawals_id_fk" FOREIGN KEY ("withdrawal_id") REFERENCES "public"."withdrawals"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_withdrawals_fk" FOREIGN KEY ("withdrawals_id") REFERENCES "public"."withdrawals"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_takeouts_fk" FOREIGN KEY ("takeouts_id") REFERENCES "public"."takeouts"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "recordings_withdrawal_idx" ON "recordings" USING btree ("withdrawal_id");
  CREATE INDEX "payload_locked_documents_rels_withdrawals_id_idx" ON "payload_locked_documents_rels" USING btree ("withdrawals_id");
  CREATE INDEX "payload_locked_documents_rels_takeouts_id_idx" ON "payload_locked_documents_rels" USING btree ("takeouts_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "withdrawals" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "takeouts" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "withdrawals" CASCADE;
  DROP TABLE "takeouts" CASCADE;
  ALTER TABLE "recordings" DROP CONSTRAINT "recordings_withdrawal_id_withdrawals_id_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_withdrawals_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_takeouts_fk";
  
  DROP INDEX "recordings_withdrawal_idx";
  DROP INDEX "payload_locked_documents_rels_withdrawals_id_idx";
  DROP INDEX "payload_locked_documents_rels_takeouts_id_idx";
  ALTER TABLE "recordings" DROP COLUMN "withdrawal_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "withdrawals_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "takeouts_id";
  DROP TYPE "public"."enum_withdrawals_kind";
  DROP TYPE "public"."enum_withdrawals_status";
  DROP TYPE "public"."enum_takeouts_status";`)
}
