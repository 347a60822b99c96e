'use client'

import { Banner, useListQuery } from '@payloadcms/ui'

/**
 * "About N sentences": shown when the list's count is an estimate (the query matched too many rows
 * to count quickly; src/db/estimatedCount.ts). The list's own "1-10 of N" is hidden then, since its
 * N is not exact.
 */
export const EstimatedCount = () => {
  const { data } = useListQuery()
  const estimated = (data as { totalDocsEstimated?: boolean } | undefined)?.totalDocsEstimated
  if (!estimated || !data) return null
  const rounded = Number(Number(data.totalDocs).toPrecision(2))
  const from = (Number(data.page ?? 1) - 1) * Number(data.limit ?? 10) + 1
  return (
    <div id="sentences-estimated-count" style={{ marginTop: 12 }}>
      <style>{'.collection-list--sentences .page-controls__page-info { display: none; }'}</style>
      <Banner type="info">
        Showing {from.toLocaleString('en')}–{(from + data.docs.length - 1).toLocaleString('en')} of about {rounded.toLocaleString('en')} sentences (an estimate:
        counting every match exactly would be slow at this size).
      </Banner>
    </div>
  )
}
