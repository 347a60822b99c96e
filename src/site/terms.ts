export { CONSENT_COOKIE, TERMS_VERSION } from '../lib/terms'
