-- A message id is unique per message name within a company (was: per company), so one sender's ids — an API key scoped to one message — cannot make another name's messages duplicates (issue 21 review).
DROP INDEX "messages_tenant_message_id_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "messages_tenant_name_message_id_idx" ON "messages" USING btree ("tenant_id","name","message_id");