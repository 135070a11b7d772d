-- The designer's drafts: one per process of a company, autosaved, with a revision that makes each
-- save conditional on the one the browser last saw (two tabs never overwrite each other silently).
-- The content may not validate yet: nothing a designer drew is lost. Publishing turns it into the
-- next immutable version in process_definitions and removes it.
CREATE TABLE "process_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"content" jsonb NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"import_report" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
ALTER TABLE "process_drafts" ADD CONSTRAINT "process_drafts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "process_drafts" ADD CONSTRAINT "process_drafts_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "process_drafts_tenant_key_idx" ON "process_drafts" USING btree ("tenant_id","key");
