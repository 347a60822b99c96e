import { hasRole } from '@shrutik/plugin-sdk'
import type { ServerProps } from 'payload'

/** "Review queue" in the admin navigation, for reviewers and admins. */
export const ReviewNavLink = ({ user }: ServerProps) => {
  if (!hasRole(user, 'admin', 'reviewer')) return null
  return (
    <a className="nav__link" href="/admin/review" id="nav-review" style={{ display: 'block', padding: '4px 0' }}>
      <span className="nav__link-label">Review queue</span>
    </a>
  )
}
