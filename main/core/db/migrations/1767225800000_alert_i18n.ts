/**
 * Chinese texts of alerts and incidents, next to the English ones: a JSON object keyed by
 * language ({"zh-CN": {"title", "explanation"}, …}), NULL for rows written before and for texts
 * that have no translation. Kept out of the reasoning JSON, which is the trader's "numbers behind
 * the alert" and goes into reports and exports as it is.
 */
export const sql = `
ALTER TABLE alerts ADD COLUMN i18n TEXT;
ALTER TABLE incidents ADD COLUMN i18n TEXT;
`
