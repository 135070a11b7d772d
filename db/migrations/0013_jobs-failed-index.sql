DROP INDEX "jobs_type_idx";--> statement-breakpoint
CREATE INDEX "jobs_failed_idx" ON "jobs" USING btree ("tenant_id") WHERE status = 'failed';