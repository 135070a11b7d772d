ALTER TABLE "jobs" ALTER COLUMN "instance_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "definition_id" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_definition_id_process_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."process_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_owner_check" CHECK (("jobs"."instance_id" is not null and "jobs"."definition_id" is null) or ("jobs"."instance_id" is null and "jobs"."definition_id" is not null and "jobs"."kind" = 'timer'));--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_start_timer_idx" ON "jobs" USING btree ("definition_id","element_id") WHERE definition_id is not null and status in ('pending', 'running');
