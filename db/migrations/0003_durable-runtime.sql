CREATE TABLE "command_results" (
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"command" text NOT NULL,
	"actor_id" uuid,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "command_results_tenant_id_key_pk" PRIMARY KEY("tenant_id","key")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"element_id" text NOT NULL,
	"scope" text,
	"timer_id" text,
	"job_type" text,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 3 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"correlation_key" text,
	"message_id" text,
	"variables" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"correlated_at" timestamp with time zone,
	"correlated_to" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"element_id" text NOT NULL,
	"scope" text,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"correlation_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "hash" text;--> statement-breakpoint
ALTER TABLE "process_instances" ADD COLUMN "parent_id" uuid;--> statement-breakpoint
ALTER TABLE "process_instances" ADD COLUMN "parent_element_id" text;--> statement-breakpoint
ALTER TABLE "process_instances" ADD COLUMN "parent_scope" text;--> statement-breakpoint
ALTER TABLE "process_instances" ADD COLUMN "audit_head" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "scope" text;--> statement-breakpoint
ALTER TABLE "command_results" ADD CONSTRAINT "command_results_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_instance_id_process_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."process_instances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_instance_id_process_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."process_instances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_due_idx" ON "jobs" USING btree ("status","due_at") WHERE status in ('pending', 'running');--> statement-breakpoint
CREATE INDEX "jobs_instance_idx" ON "jobs" USING btree ("instance_id");--> statement-breakpoint
CREATE INDEX "jobs_type_idx" ON "jobs" USING btree ("tenant_id","job_type","status");--> statement-breakpoint
CREATE INDEX "messages_lookup_idx" ON "messages" USING btree ("tenant_id","name","correlation_key") WHERE correlated_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_tenant_message_id_idx" ON "messages" USING btree ("tenant_id","message_id");--> statement-breakpoint
CREATE INDEX "subscriptions_lookup_idx" ON "subscriptions" USING btree ("tenant_id","kind","name","correlation_key");--> statement-breakpoint
CREATE INDEX "subscriptions_instance_idx" ON "subscriptions" USING btree ("instance_id");--> statement-breakpoint
CREATE INDEX "process_instances_parent_idx" ON "process_instances" USING btree ("parent_id");