export const ROLES = ['admin', 'reviewer', 'contributor', 'exporter'] as const
export type Role = (typeof ROLES)[number]

/** The minimal shape of an authenticated user that access predicates look at. */
export interface RoleHolder {
  id: number | string
  roles?: Role[] | null
}

export const hasRole = (user: RoleHolder | null | undefined, ...roles: Role[]): boolean =>
  Boolean(user?.roles?.some((role) => roles.includes(role)))
