DROP INDEX "tasks_open_element_idx";--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "loop_index" integer DEFAULT -1 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "loop_item" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_open_element_run_idx" ON "tasks" USING btree ("instance_id","element_id","loop_index") WHERE status = 'open';