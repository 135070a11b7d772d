-- Decision tables published with the processes that use them (pinned per process version, like
-- forms), and user tasks offered to named members (candidate users, resolved from e-mail
-- addresses when the task is created).
CREATE TABLE "decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"version" integer NOT NULL,
	"name" text,
	"content" jsonb NOT NULL,
	"source" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" uuid
);
--> statement-breakpoint
ALTER TABLE "process_definitions" ADD COLUMN "decision_ids" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "candidate_user_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "decisions_tenant_key_version_idx" ON "decisions" USING btree ("tenant_id","key","version");--> statement-breakpoint
-- Published decisions never change, like forms and process versions (0001).
CREATE TRIGGER decisions_immutable BEFORE UPDATE ON decisions
  FOR EACH ROW EXECUTE FUNCTION trellis_refuse_change('immutable once published');
