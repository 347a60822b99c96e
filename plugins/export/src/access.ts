import { hasRole, type Role } from '@shrutik/plugin-sdk'
import type { Access, PayloadRequest } from 'payload'

/** Roles that may create, follow and download exports: admins and the `exporter` role. */
export const EXPORT_ROLES: Role[] = ['admin', 'exporter']

export const canExport = (user: unknown): boolean => hasRole(user, ...EXPORT_ROLES)

export const exportersOnly: Access = ({ req }) => canExport(req.user)

export const adminsOnly: Access = ({ req }) => hasRole(req.user, 'admin')

export const nobody = () => false

/** 401 for nobody signed in, 403 for a signed-in user without an export role; undefined when allowed. */
export const refusal = (req: PayloadRequest): { status: 401 | 403; message: string } | undefined =>
  !req.user ? { status: 401, message: 'Sign in as an admin or exporter to use dataset exports.' } : !canExport(req.user) ? { status: 403, message: 'Only admins and exporters can use dataset exports.' } : undefined
