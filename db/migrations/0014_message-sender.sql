ALTER TABLE "messages" ADD COLUMN "sent_by" uuid;
