/** The roles a Shrutik account can hold. */
export const ROLES = ['admin', 'reviewer', 'contributor', 'exporter'] as const
export type Role = (typeof ROLES)[number]

/** The minimal shape of an authenticated user that access rules look at. */
export interface RoleHolder {
  id: number | string
  roles?: readonly string[] | null
}

/** True when the user (e.g. `req.user`) holds any of `roles`. The one role check: use it in access rules and endpoints. */
export const hasRole = (user: unknown, ...roles: Role[]): boolean =>
  Boolean((user as RoleHolder | null | undefined)?.roles?.some((role) => (roles as readonly string[]).includes(role)))
