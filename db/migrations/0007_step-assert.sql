-- One-statement commands (app/server/services/step-writer.ts) check inside the statement that the
-- task or job they close closed together with the instance step; when not, this raises and the
-- whole statement is undone.
CREATE FUNCTION trellis_assert(ok boolean, message text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION '%', message USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN true;
END;
$$;
--> statement-breakpoint
-- Idempotency keys remember what they were used for: a reused key with other input is refused.
ALTER TABLE "command_results" ADD COLUMN "input_hash" text;
--> statement-breakpoint
CREATE INDEX "command_results_created_idx" ON "command_results" USING btree ("created_at");
