import { describe, expect, test } from '@jest/globals'
import type { Field, FieldAccess, PayloadRequest } from 'payload'

import { hasPlugin } from './helpers/plugins'

/**
 * Anonymous contributor ids and network addresses are readable by admins only, on every
 * collection of the built config, plugins' included: a collection added later with such a field
 * and no read rule fails here.
 */

/** Field names that hold an anonymous identity or an address (clientId, ownerClientId, ipAddress, ...). */
const IDENTIFYING = /^(ip|ipAddress|ipHash|remoteAddress|clientId|anonymousId)$|(ClientId|AnonymousId|Ip|IpAddress|IpHash)$/

interface FoundField {
  where: string
  read?: FieldAccess
}

const identifyingFields = (fields: Field[], where: string, found: FoundField[] = []): FoundField[] => {
  for (const field of fields) {
    const named = 'name' in field && typeof field.name === 'string' ? field.name : undefined
    const path = named ? `${where}.${named}` : where
    if (named && IDENTIFYING.test(named)) found.push({ where: path, read: (field as { access?: { read?: FieldAccess } }).access?.read })
    if ('fields' in field && Array.isArray(field.fields)) identifyingFields(field.fields, path, found)
    if ('tabs' in field) for (const tab of field.tabs) identifyingFields(tab.fields, 'name' in tab && tab.name ? `${path}.${tab.name}` : path, found)
    if ('blocks' in field) for (const block of field.blocks) identifyingFields(block.fields, `${path}.${block.slug}`, found)
  }
  return found
}

const fakeRequest = (roles: string[] | null): PayloadRequest =>
  ({ user: roles ? { id: 1, roles, collection: 'users' } : null, headers: new Headers(), context: {} }) as unknown as PayloadRequest

describe('anonymous ids and addresses are hidden from everyone but admins', () => {
  test('every such field of every collection and global denies read to anonymous, a contributor and a reviewer, and allows an admin', async () => {
    const config = await (await import('../payload.config')).default
    const found = [
      ...config.collections.flatMap((collection) => identifyingFields(collection.fields, collection.slug)),
      ...config.globals.flatMap((global) => identifyingFields(global.fields, global.slug)),
    ]
    // The walk really reaches core and plugin collections (the consensus plugin's unless SHRUTIK_TEST_WITHOUT left it out).
    expect(found.map((field) => field.where)).toEqual(
      expect.arrayContaining([
        'recordings.clientId',
        'transcriptions.clientId',
        'sentence-skips.clientId',
        ...(hasPlugin('consensus') ? ['votes.clientId', 'contributor-reliability.clientId'] : []),
      ]),
    )
    const readable: string[] = []
    for (const field of found) {
      // A document owned by someone else (id 2), so owner-or-admin rules do not apply.
      const doc = { id: 99, owner: 2, user: 2, voter: 2, author: 2, contributor: 2 }
      const readAs = async (roles: string[] | null) =>
        field.read ? Boolean(await field.read({ req: fakeRequest(roles), doc, siblingData: doc, id: 99 } as never)) : true
      for (const roles of [null, ['contributor'], ['reviewer'], ['contributor', 'reviewer']]) {
        if (await readAs(roles)) readable.push(`${field.where} is readable by ${roles?.join('+') ?? 'anonymous'}`)
      }
      expect({ field: field.where, adminReads: await readAs(['admin']) }).toEqual({ field: field.where, adminReads: true })
    }
    expect(readable).toEqual([])
  })
})
