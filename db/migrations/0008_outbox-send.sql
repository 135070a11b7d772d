-- An email is claimed before it is sent (status 'sending' until locked_until), so a "Send now"
-- clicked twice, a job retried meanwhile or the held-mail sweep never send it twice.
ALTER TABLE "email_outbox" ADD COLUMN "locked_until" timestamp with time zone;
--> statement-breakpoint
-- The held-mail sweep's lookup: only emails waiting to be sent (or whose sender died).
CREATE INDEX "email_outbox_held_idx" ON "email_outbox" USING btree ("created_at") WHERE status in ('outbox', 'sending');
