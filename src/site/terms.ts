/**
 * The contribution terms contributors accept before their first upload. Bump the version whenever
 * the terms' text (in the site's message files, `about/terms`) changes: every recording stores the
 * version its contributor accepted.
 */
export const TERMS_VERSION = '2026-11-26'
export const CONSENT_COOKIE = 'shrutik_consent'
