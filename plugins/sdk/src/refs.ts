/**
 * A relationship value as a numeric id: Payload hands documents over populated (`{ id, ... }`) or
 * not (the id itself), depending on depth. Undefined for empty values.
 */
export const idOf = (ref: unknown): number | undefined => {
  const raw = ref && typeof ref === 'object' ? (ref as { id?: unknown }).id : ref
  if (raw === null || raw === undefined || raw === '') return undefined
  const id = Number(raw)
  return Number.isInteger(id) ? id : undefined
}
