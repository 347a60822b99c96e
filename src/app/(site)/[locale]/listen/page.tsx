import { judgePage } from '@/site/judgePage'

export const dynamic = 'force-dynamic'

/** Validate other people's clips against their sentences (served by the consensus plugin). */
export default judgePage('listen')
