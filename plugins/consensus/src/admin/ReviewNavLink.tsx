import type { ServerProps } from 'payload'

const canReview = (user: unknown) => Boolean((user as { roles?: string[] } | null)?.roles?.some((role) => role === 'admin' || role === 'reviewer'))

/** "Review queue" in the admin navigation, for reviewers and admins. */
export const ReviewNavLink = ({ user }: ServerProps) => {
  if (!canReview(user)) return null
  return (
    <a className="nav__link" href="/admin/review" id="nav-review" style={{ display: 'block', padding: '4px 0' }}>
      <span className="nav__link-label">Review queue</span>
    </a>
  )
}
