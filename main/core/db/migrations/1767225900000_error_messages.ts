/**
 * Message descriptors (main/api/messages.ts) next to the English texts they were rendered from,
 * as JSON (`{"code", "vars"}`), so the screens can show them in the trader's language after a
 * restart: an account's last error and a data gap's reason. NULL for rows written before and for
 * texts that have no descriptor.
 */
export const sql = `
ALTER TABLE accounts ADD COLUMN last_error_msg TEXT;
ALTER TABLE data_gaps ADD COLUMN reason_msg TEXT;
`
