-- The runs of a parallel multi-instance subprocess each have an open task for the same element:
-- the one-open-task rule holds per run (scope), not per instance.
DROP INDEX IF EXISTS "tasks_open_element_run_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_open_element_run_idx" ON "tasks" USING btree ("instance_id","element_id","loop_index",coalesce("scope", '')) WHERE status = 'open';
