/**
 * The contribution terms contributors accept before their first contribution. Bump the version
 * whenever the terms' text (in the site's message files, `about/terms`) changes: the server then
 * asks everyone again before their next upload, vote or transcription, and every recording stores
 * the version its contributor had accepted (written by the server, never taken from the client).
 */
export const TERMS_VERSION = '2026-11-26'
/** A readable (not HttpOnly) cookie telling the site which terms version this browser accepted. */
export const CONSENT_COOKIE = 'shrutik_consent'
