import { createHash, createHmac } from 'node:crypto'

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** A number-free, order-free draw: the same (seed, key) always gives the same string, whatever else is in the data. */
export const seededRank = (seed: number, key: string): string => createHash('sha256').update(`${seed}\u0000${key}`).digest('hex')

/**
 * The public speaker id: HMAC-SHA256 of the internal identity under a salt that never leaves the
 * server (64 bits, hex). Without the salt it cannot be linked back to an account or a client id.
 */
export const speakerIdOf = (salt: string, speakerKey: string): string => createHmac('sha256', salt).update(speakerKey).digest('hex').slice(0, 16)
