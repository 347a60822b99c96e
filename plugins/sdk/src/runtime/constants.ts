/** Names shared by the runtime, the queue and the admin endpoints (no imports: safe for the Next bundle). */
export const JOBS_TABLE = 'agenda_jobs'
export const DEDUPE_TABLE = 'agenda_dedupe_keys'
/** The LISTEN/NOTIFY channel Agenda's PostgreSQL backend listens on. */
export const JOBS_CHANNEL = 'agenda_jobs'
/** Bookkeeping kept beside the user's data in the job row (never shown to handlers). */
export const META_KEY = '__shrutik'
