import { describe, expect, test } from '@jest/globals'

import { parseCookies } from '../../src/lib/cookies'
import { SETUP_COOKIE, setupTokenFrom } from '../../src/lib/firstAdminSetup'

describe('parseCookies, the one cookie parser', () => {
  test.each([
    ['absent', undefined, {}],
    ['empty', '', {}],
    ['one pair', 'a=1', { a: '1' }],
    ['spaces around pairs', ' a=1 ;  b=2 ', { a: '1', b: '2' }],
    ['percent-encoded value', 'a=x%3Dy%3B', { a: 'x=y;' }],
    ['quoted value', 'a="1 2"', { a: '1 2' }],
    ['an equals sign inside the value', 'a=v1.x.y=', { a: 'v1.x.y=' }],
    ['the first of a repeated name wins', 'a=first; a=second', { a: 'first' }],
    ['bad percent-encoding is skipped, not thrown', 'a=%E0%A4; b=2', { b: '2' }],
    ['pairs without a name or an equals sign are skipped', '=x; junk; b=2', { b: '2' }],
  ])('%s', (_, header, expected) => {
    expect(Object.fromEntries(parseCookies(header))).toEqual(expected)
  })

  test('the first-admin setup token is read through it, header first', () => {
    expect(setupTokenFrom(new Headers({ cookie: `other=1; ${SETUP_COOKIE}=tok%2Den` }))).toBe('tok-en')
    expect(setupTokenFrom(new Headers({ 'x-setup-token': ' header ', cookie: `${SETUP_COOKIE}=cookie` }))).toBe('header')
    expect(setupTokenFrom(new Headers({ cookie: `${SETUP_COOKIE}=%E0%A4` }))).toBeUndefined()
    expect(setupTokenFrom(new Headers())).toBeUndefined()
  })
})
