/** Where the curation screens live in the admin (below /admin). */
export const IMPORT_VIEW_PATH = '/collections/sentences/import'
export const REVIEW_VIEW_PATH = '/sentence-review'
export const REPORTS_VIEW_PATH = '/sentence-reports'
