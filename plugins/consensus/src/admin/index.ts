// Server components of the review queue (the client parts are imported by the view itself).
export { ReviewNavLink } from './ReviewNavLink'
export { ReviewView } from './ReviewView'
