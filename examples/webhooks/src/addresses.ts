import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/** Addresses a webhook may not reach unless private addresses are allowed: this machine and its networks. */
const PRIVATE = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6')
}

/** True for loopback, private, link-local, shared, multicast and reserved addresses (IPv4-mapped IPv6 included). */
export const isPrivateAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4')
  const family = isIP(address)
  if (family === 0) return true
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError'
}

/**
 * Resolves a host once and checks every address it has; the request then goes to the address
 * checked here (never resolved again), so a DNS answer that changes in between cannot redirect it.
 */
export const resolveAllowed = async (hostname: string, allowPrivate: boolean): Promise<{ address: string; family: 4 | 6 }> => {
  const bare = hostname.replace(/^\[|\]$/g, '')
  const answers = isIP(bare) ? [{ address: bare, family: isIP(bare) as 4 | 6 }] : ((await lookup(bare, { all: true })) as { address: string; family: 4 | 6 }[])
  if (answers.length === 0) throw new RefusedAddressError(`${hostname} does not resolve.`)
  if (!allowPrivate) {
    const refused = answers.find((answer) => isPrivateAddress(answer.address))
    if (refused) throw new RefusedAddressError(`${hostname} resolves to ${refused.address}, a private or loopback address; webhooks go only to public addresses.`)
  }
  return answers[0]
}
