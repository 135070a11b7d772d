-- The language a person chose is remembered (issue 19): null until they use the switch; the 'vi' every account got by default was no choice, so it is forgotten.
ALTER TABLE "users" ALTER COLUMN "locale" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "locale" DROP NOT NULL;--> statement-breakpoint
UPDATE "users" SET "locale" = NULL;
