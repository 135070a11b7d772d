-- The inbox (issue 19): task priority, case summary and search documents; access paths per list (assigned, unclaimed by department or person, done, search); saved views; comments with mentions; notifications and their preferences; the runner lists' indexes (my requests, the company's instances, one process's).
CREATE TABLE "comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"task_id" uuid,
	"author_id" uuid NOT NULL,
	"body" text NOT NULL,
	"mentions" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"task_id" uuid,
	"instance_id" uuid,
	"actor_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone,
	"emailed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "saved_views" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"query" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "notification_prefs" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "process_instances" ADD COLUMN "search" "tsvector";--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "priority" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "summary" jsonb;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "search" "tsvector";--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_instance_id_process_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."process_instances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "comments_instance_idx" ON "comments" USING btree ("instance_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_key_idx" ON "notifications" USING btree ("tenant_id","user_id","key");--> statement-breakpoint
CREATE INDEX "notifications_email_idx" ON "notifications" USING btree ("created_at") WHERE emailed_at is null;--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("tenant_id","user_id","created_at");--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" USING btree ("tenant_id","user_id") WHERE read_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "saved_views_name_idx" ON "saved_views" USING btree ("tenant_id","user_id","name");--> statement-breakpoint
CREATE INDEX "process_instances_search_idx" ON "process_instances" USING gin ("search");--> statement-breakpoint
CREATE INDEX "process_instances_started_by_idx" ON "process_instances" USING btree ("tenant_id","started_by","created_at","id") WHERE parent_id is null;--> statement-breakpoint
CREATE INDEX "process_instances_tenant_started_idx" ON "process_instances" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "process_instances_definition_started_idx" ON "process_instances" USING btree ("tenant_id","definition_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tasks_assigned_idx" ON "tasks" USING btree ("tenant_id","assignee_id",coalesce("due_date", '9999-12-31'::date),"created_at","id") WHERE status = 'open' and assignee_id is not null;--> statement-breakpoint
CREATE INDEX "tasks_unclaimed_idx" ON "tasks" USING btree ("tenant_id",coalesce("due_date", '9999-12-31'::date),"created_at","id") INCLUDE ("candidate_groups","candidate_role","candidate_user_ids","excluded_user_ids","priority") WHERE status = 'open' and assignee_id is null;--> statement-breakpoint
CREATE INDEX "tasks_unclaimed_priority_idx" ON "tasks" USING btree ("tenant_id",(-coalesce("priority", 50)),coalesce("due_date", '9999-12-31'::date),"created_at","id") INCLUDE ("candidate_groups","candidate_role","candidate_user_ids","excluded_user_ids","priority") WHERE status = 'open' and assignee_id is null;--> statement-breakpoint
CREATE INDEX "tasks_unclaimed_groups_idx" ON "tasks" USING gin ("candidate_groups") WHERE status = 'open' and assignee_id is null;--> statement-breakpoint
CREATE INDEX "tasks_unclaimed_users_idx" ON "tasks" USING gin ("candidate_user_ids") WHERE status = 'open' and assignee_id is null;--> statement-breakpoint
CREATE INDEX "tasks_done_idx" ON "tasks" USING btree ("tenant_id","completed_by","completed_at","id") WHERE status = 'completed';--> statement-breakpoint
CREATE INDEX "tasks_search_idx" ON "tasks" USING gin ("search") WHERE status = 'open';--> statement-breakpoint
-- Every unclaimed task is open: without this the planner multiplies the two conditions' shares as if independent and expects ten times fewer unclaimed tasks than there are (bench:inbox), then reads a department's every task through its GIN index instead of the ordered index.
CREATE STATISTICS "tasks_status_assignee_stats" (mcv) ON "status", "assignee_id" FROM "tasks";
