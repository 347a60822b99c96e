export { ReadOnlyJson } from './ReadOnlyJson'
// The one role check, for client components too (roles.ts imports nothing).
export { hasRole } from '../roles'
