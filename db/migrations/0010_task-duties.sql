-- Four-eyes rule: the users a task's separationOfDuties excludes (the engine names them when it
-- creates the task); the inbox does not offer the task to them and completion refuses them.
ALTER TABLE "tasks" ADD COLUMN "excluded_user_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;
--> statement-breakpoint
-- A task page sends back the version it showed: claims, unclaims and reassignments move it, so a
-- page opened before a reassignment gets a conflict instead of completing someone else's task.
ALTER TABLE "tasks" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
-- Out of office: a user's tasks (assigned to them) may be worked by a colleague of the same
-- company during [starts_at, ends_at). Revoked delegations stay, for the record.
CREATE TABLE "delegations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"delegator_id" uuid NOT NULL,
	"delegate_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	CONSTRAINT "delegations_range_check" CHECK ("delegations"."ends_at" > "delegations"."starts_at"),
	CONSTRAINT "delegations_not_self_check" CHECK ("delegations"."delegator_id" <> "delegations"."delegate_id")
);
--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_delegator_id_users_id_fk" FOREIGN KEY ("delegator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_delegate_id_users_id_fk" FOREIGN KEY ("delegate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "delegations_delegate_idx" ON "delegations" USING btree ("tenant_id","delegate_id","ends_at") WHERE revoked_at is null;
--> statement-breakpoint
CREATE INDEX "delegations_delegator_idx" ON "delegations" USING btree ("tenant_id","delegator_id","ends_at");
