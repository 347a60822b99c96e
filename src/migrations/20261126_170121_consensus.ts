import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

/**
 * Consensus plugin: votes, skips, contributor reliability, reviewer decisions and the `consensus`
 * group on segments (generated), plus by hand:
 * - votes and skips go with their segment (ON DELETE CASCADE instead of the generated SET NULL,
 *   which their NOT NULL segment column could never satisfy), and a deleted account's reliability
 *   record with it;
 * - a trigger on votes and transcriptions that refuses judging one's own recording (SQLSTATE SH001);
 * - the partial indexes the serving query walks (open segments; servable recordings);
 * - existing segments start with their current status.
 * The trigger and indexes assume the default slugs (segments, recordings, votes, transcriptions).
 */

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_segments_consensus_status" AS ENUM('pending', 'accepted', 'rejected', 'needs-review');
  CREATE TYPE "public"."enum_segments_consensus_decided_by" AS ENUM('crowd', 'reviewer');
  CREATE TYPE "public"."enum_votes_reason" AS ENUM('does-not-match', 'noisy', 'wrong-language', 'offensive', 'other');
  CREATE TYPE "public"."enum_consensus_skips_reason" AS ENUM('does-not-match', 'noisy', 'wrong-language', 'offensive', 'other');
  CREATE TYPE "public"."enum_consensus_decisions_decision" AS ENUM('accepted', 'rejected');
  CREATE TYPE "public"."enum_consensus_decisions_previous_status" AS ENUM('pending', 'accepted', 'rejected', 'needs-review');
  CREATE TABLE "votes" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"segment_id" integer NOT NULL,
  	"voter_id" integer,
  	"client_id" varchar,
  	"valid" boolean DEFAULT false NOT NULL,
  	"reason" "enum_votes_reason",
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "consensus_skips" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"segment_id" integer NOT NULL,
  	"contributor_id" integer,
  	"client_id" varchar,
  	"reason" "enum_consensus_skips_reason",
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "contributor_reliability" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"contributor_id" integer,
  	"client_id" varchar,
  	"votes" numeric DEFAULT 0,
  	"vote_accuracy" numeric,
  	"vote_weight" numeric,
  	"transcriptions" numeric DEFAULT 0,
  	"transcript_error_rate" numeric,
  	"transcript_weight" numeric,
  	"items_judged" numeric DEFAULT 0,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "consensus_decisions" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"segment_id" integer,
  	"reviewer_id" integer,
  	"decision" "enum_consensus_decisions_decision" NOT NULL,
  	"text" varchar,
  	"previous_status" "enum_consensus_decisions_previous_status",
  	"previous_text" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "segments" ADD COLUMN "consensus_status" "enum_segments_consensus_status" DEFAULT 'pending';
  ALTER TABLE "segments" ADD COLUMN "consensus_agreed_text" varchar;
  ALTER TABLE "segments" ADD COLUMN "consensus_confidence" numeric;
  ALTER TABLE "segments" ADD COLUMN "consensus_judgments" numeric DEFAULT 0;
  ALTER TABLE "segments" ADD COLUMN "consensus_reports" numeric DEFAULT 0;
  ALTER TABLE "segments" ADD COLUMN "consensus_method" varchar;
  ALTER TABLE "segments" ADD COLUMN "consensus_decided_by" "enum_segments_consensus_decided_by";
  ALTER TABLE "segments" ADD COLUMN "consensus_decided_at" timestamp(3) with time zone;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "votes_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "consensus_skips_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "contributor_reliability_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "consensus_decisions_id" integer;
  ALTER TABLE "votes" ADD CONSTRAINT "votes_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "votes" ADD CONSTRAINT "votes_voter_id_users_id_fk" FOREIGN KEY ("voter_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "consensus_skips" ADD CONSTRAINT "consensus_skips_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "consensus_skips" ADD CONSTRAINT "consensus_skips_contributor_id_users_id_fk" FOREIGN KEY ("contributor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "contributor_reliability" ADD CONSTRAINT "contributor_reliability_contributor_id_users_id_fk" FOREIGN KEY ("contributor_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "consensus_decisions" ADD CONSTRAINT "consensus_decisions_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "consensus_decisions" ADD CONSTRAINT "consensus_decisions_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "votes_segment_idx" ON "votes" USING btree ("segment_id");
  CREATE INDEX "votes_voter_idx" ON "votes" USING btree ("voter_id");
  CREATE INDEX "votes_client_id_idx" ON "votes" USING btree ("client_id");
  CREATE INDEX "votes_updated_at_idx" ON "votes" USING btree ("updated_at");
  CREATE INDEX "votes_created_at_idx" ON "votes" USING btree ("created_at");
  CREATE UNIQUE INDEX "segment_voter_idx" ON "votes" USING btree ("segment_id","voter_id");
  CREATE UNIQUE INDEX "segment_clientId_idx" ON "votes" USING btree ("segment_id","client_id");
  CREATE INDEX "consensus_skips_segment_idx" ON "consensus_skips" USING btree ("segment_id");
  CREATE INDEX "consensus_skips_contributor_idx" ON "consensus_skips" USING btree ("contributor_id");
  CREATE INDEX "consensus_skips_client_id_idx" ON "consensus_skips" USING btree ("client_id");
  CREATE INDEX "consensus_skips_updated_at_idx" ON "consensus_skips" USING btree ("updated_at");
  CREATE INDEX "consensus_skips_created_at_idx" ON "consensus_skips" USING btree ("created_at");
  CREATE UNIQUE INDEX "segment_contributor_idx" ON "consensus_skips" USING btree ("segment_id","contributor_id");
  CREATE UNIQUE INDEX "segment_clientId_1_idx" ON "consensus_skips" USING btree ("segment_id","client_id");
  CREATE UNIQUE INDEX "contributor_reliability_contributor_idx" ON "contributor_reliability" USING btree ("contributor_id");
  CREATE UNIQUE INDEX "contributor_reliability_client_id_idx" ON "contributor_reliability" USING btree ("client_id");
  CREATE INDEX "contributor_reliability_updated_at_idx" ON "contributor_reliability" USING btree ("updated_at");
  CREATE INDEX "contributor_reliability_created_at_idx" ON "contributor_reliability" USING btree ("created_at");
  CREATE INDEX "consensus_decisions_segment_idx" ON "consensus_decisions" USING btree ("segment_id");
  CREATE INDEX "consensus_decisions_reviewer_idx" ON "consensus_decisions" USING btree ("reviewer_id");
  CREATE INDEX "consensus_decisions_updated_at_idx" ON "consensus_decisions" USING btree ("updated_at");
  CREATE INDEX "consensus_decisions_created_at_idx" ON "consensus_decisions" USING btree ("created_at");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_votes_fk" FOREIGN KEY ("votes_id") REFERENCES "public"."votes"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_consensus_skips_fk" FOREIGN KEY ("consensus_skips_id") REFERENCES "public"."consensus_skips"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_contributor_reliability_fk" FOREIGN KEY ("contributor_reliability_id") REFERENCES "public"."contributor_reliability"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_consensus_decisions_fk" FOREIGN KEY ("consensus_decisions_id") REFERENCES "public"."consensus_decisions"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "segments_consensus_consensus_status_idx" ON "segments" USING btree ("consensus_status");
  CREATE INDEX "payload_locked_documents_rels_votes_id_idx" ON "payload_locked_documents_rels" USING btree ("votes_id");
  CREATE INDEX "payload_locked_documents_rels_consensus_skips_id_idx" ON "payload_locked_documents_rels" USING btree ("consensus_skips_id");
  CREATE INDEX "payload_locked_documents_rels_contributor_reliability_id_idx" ON "payload_locked_documents_rels" USING btree ("contributor_reliability_id");
  CREATE INDEX "payload_locked_documents_rels_consensus_decisions_id_idx" ON "payload_locked_documents_rels" USING btree ("consensus_decisions_id");`)

  // By hand (see the top of this file).
  await db.execute(sql`
  UPDATE "segments" SET "consensus_status" = "status"::text::"enum_segments_consensus_status" WHERE "status" IS NOT NULL;

  -- Nobody validates or transcribes their own recording: the judge (account or anonymous client id)
  -- is compared with the recording's owner. Arguments: the row's segment column, its user column.
  CREATE FUNCTION "consensus_refuse_own_recording"() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    judged jsonb := to_jsonb(NEW);
    judge_user integer := (judged ->> TG_ARGV[1])::integer;
    judge_client varchar := judged ->> 'client_id';
    owner_user integer;
    owner_client varchar;
  BEGIN
    SELECT r."owner_id", r."client_id" INTO owner_user, owner_client
      FROM "segments" s JOIN "recordings" r ON r."id" = s."recording_id"
     WHERE s."id" = (judged ->> TG_ARGV[0])::integer;
    IF (judge_user IS NOT NULL AND judge_user = owner_user) OR (judge_client IS NOT NULL AND judge_client = owner_client) THEN
      RAISE EXCEPTION 'This is your own recording: you cannot validate or transcribe it.'
        USING ERRCODE = 'SH001', HINT = 'Judge other people''s recordings.';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "votes_refuse_own_recording" BEFORE INSERT OR UPDATE OF "segment_id", "voter_id", "client_id" ON "votes"
    FOR EACH ROW EXECUTE FUNCTION "consensus_refuse_own_recording"('segment_id', 'voter_id');
  CREATE TRIGGER "transcriptions_refuse_own_recording" BEFORE INSERT OR UPDATE OF "item_id", "author_id", "client_id" ON "transcriptions"
    FOR EACH ROW EXECUTE FUNCTION "consensus_refuse_own_recording"('item_id', 'author_id');

  -- The serving query walks open segments, closest to a decision and oldest first: prompt
  -- segments (they carry the sentence) for validation, long-recording ones for transcription;
  -- and joins recordings that are ready, by language.
  CREATE INDEX "consensus_segments_validation_idx" ON "segments" USING btree ("consensus_judgments" DESC, "id") WHERE "consensus_status" = 'pending' AND "expected_text" IS NOT NULL;
  CREATE INDEX "consensus_segments_transcription_idx" ON "segments" USING btree ("consensus_judgments" DESC, "id") WHERE "consensus_status" = 'pending' AND "expected_text" IS NULL;
  CREATE INDEX "consensus_recordings_servable_idx" ON "recordings" USING btree ("language_id") WHERE "audio_status" = 'ready';`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  // By hand: the trigger, its function and the recordings index (segment indexes go with their columns).
  await db.execute(sql`
  DROP TRIGGER IF EXISTS "transcriptions_refuse_own_recording" ON "transcriptions";
  DROP TRIGGER IF EXISTS "votes_refuse_own_recording" ON "votes";
  DROP FUNCTION IF EXISTS "consensus_refuse_own_recording"();
  DROP INDEX IF EXISTS "consensus_recordings_servable_idx";`)
  await db.execute(sql`
   ALTER TABLE "votes" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "consensus_skips" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "contributor_reliability" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "consensus_decisions" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "votes" CASCADE;
  DROP TABLE "consensus_skips" CASCADE;
  DROP TABLE "contributor_reliability" CASCADE;
  DROP TABLE "consensus_decisions" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT IF EXISTS "payload_locked_documents_rels_votes_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT IF EXISTS "payload_locked_documents_rels_consensus_skips_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT IF EXISTS "payload_locked_documents_rels_contributor_reliability_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT IF EXISTS "payload_locked_documents_rels_consensus_decisions_fk";
  
  DROP INDEX "segments_consensus_consensus_status_idx";
  DROP INDEX "payload_locked_documents_rels_votes_id_idx";
  DROP INDEX "payload_locked_documents_rels_consensus_skips_id_idx";
  DROP INDEX "payload_locked_documents_rels_contributor_reliability_id_idx";
  DROP INDEX "payload_locked_documents_rels_consensus_decisions_id_idx";
  ALTER TABLE "segments" DROP COLUMN "consensus_status";
  ALTER TABLE "segments" DROP COLUMN "consensus_agreed_text";
  ALTER TABLE "segments" DROP COLUMN "consensus_confidence";
  ALTER TABLE "segments" DROP COLUMN "consensus_judgments";
  ALTER TABLE "segments" DROP COLUMN "consensus_reports";
  ALTER TABLE "segments" DROP COLUMN "consensus_method";
  ALTER TABLE "segments" DROP COLUMN "consensus_decided_by";
  ALTER TABLE "segments" DROP COLUMN "consensus_decided_at";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "votes_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "consensus_skips_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "contributor_reliability_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "consensus_decisions_id";
  DROP TYPE "public"."enum_segments_consensus_status";
  DROP TYPE "public"."enum_segments_consensus_decided_by";
  DROP TYPE "public"."enum_votes_reason";
  DROP TYPE "public"."enum_consensus_skips_reason";
  DROP TYPE "public"."enum_consensus_decisions_decision";
  DROP TYPE "public"."enum_consensus_decisions_previous_status";`)
}
