/** The one role check lives in the SDK, shared with the plugins. */
export { hasRole, ROLES, type Role, type RoleHolder } from '@shrutik/plugin-sdk'
