-- Inbound webhooks (issue 21): signed POSTs that publish a message (start a process at its message start event, or move a waiting instance); the secret kept to verify HMACs, a tolerance for the timestamp, and the delivery ids seen, unique per hook, for replay protection.
CREATE TABLE "inbound_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"webhook_id" uuid NOT NULL,
	"delivery_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text NOT NULL,
	"instance_id" uuid
);
--> statement-breakpoint
CREATE TABLE "inbound_webhooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"message_name" text NOT NULL,
	"correlation_key" text,
	"secret" text NOT NULL,
	"tolerance_seconds" integer DEFAULT 300 NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	"deactivated_by" uuid,
	"last_delivery_at" timestamp with time zone,
	CONSTRAINT "inbound_webhooks_tolerance_check" CHECK ("inbound_webhooks"."tolerance_seconds" between 30 and 3600)
);
--> statement-breakpoint
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_webhook_id_inbound_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."inbound_webhooks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_webhooks" ADD CONSTRAINT "inbound_webhooks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_webhooks" ADD CONSTRAINT "inbound_webhooks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_webhooks" ADD CONSTRAINT "inbound_webhooks_deactivated_by_users_id_fk" FOREIGN KEY ("deactivated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_deliveries_delivery_idx" ON "inbound_deliveries" USING btree ("webhook_id","delivery_id");--> statement-breakpoint
CREATE INDEX "inbound_deliveries_received_idx" ON "inbound_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "inbound_webhooks_tenant_created_idx" ON "inbound_webhooks" USING btree ("tenant_id","created_at");