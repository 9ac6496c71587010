-- 0006_audit.sql: the audit log is append-only, enforced by the database itself.
--
--   audit_log_is_append_only()  refuses the operation that fired it
--   audit_log_no_change         before UPDATE or DELETE of a row of audit_log
--   audit_log_no_truncate       before TRUNCATE of audit_log
--
-- Loaded by migration 0006 (first created by 0001; the same definitions, moved here).
-- Never edit this file: migration 0006 states its SHA-256 and the test suite checks it.
-- To change a definition, copy what you change into a new file named after a new
-- migration (sql/00NN_audit.sql) and load it from that migration; see README.md.

CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE TRIGGER audit_log_no_change
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE OR REPLACE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
