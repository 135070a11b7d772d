-- History is append-only and published versions are immutable: enforced by the database itself,
-- so no code path (or a hand-written UPDATE) can rewrite them.
CREATE FUNCTION trellis_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are %: % is refused', TG_TABLE_NAME, TG_ARGV[0], TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION trellis_refuse_change('append-only');
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION trellis_refuse_change('append-only');
--> statement-breakpoint
CREATE TRIGGER process_definitions_immutable BEFORE UPDATE ON process_definitions
  FOR EACH ROW EXECUTE FUNCTION trellis_refuse_change('immutable once published');
--> statement-breakpoint
CREATE TRIGGER forms_immutable BEFORE UPDATE ON forms
  FOR EACH ROW EXECUTE FUNCTION trellis_refuse_change('immutable once published');
