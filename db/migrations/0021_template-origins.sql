-- Where a process came from in the template library (pack, version, template, department map, the imported definition as the base of upgrades).
CREATE TABLE "template_origins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"process_key" text NOT NULL,
	"pack_key" text NOT NULL,
	"pack_version" text NOT NULL,
	"template_key" text NOT NULL,
	"department_map" jsonb NOT NULL,
	"base" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"imported_by" uuid
);
--> statement-breakpoint
ALTER TABLE "template_origins" ADD CONSTRAINT "template_origins_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "template_origins" ADD CONSTRAINT "template_origins_imported_by_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "template_origins_process_idx" ON "template_origins" USING btree ("tenant_id","process_key");