import { judgePage } from '@/site/judgePage'

export const dynamic = 'force-dynamic'

/** Write what segments of long recordings say (served by the consensus plugin). */
export default judgePage('transcribe')
