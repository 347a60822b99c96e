import { describe, expect, test } from '@jest/globals'
import { coreCollections } from '@shrutik/plugin-sdk/testing'
import type { CollectionConfig, Field } from 'payload'

import { Languages } from '../collections/Languages'
import { createRecordings } from '../collections/Recordings'
import { Sentences } from '../collections/Sentences'
import { createTranscriptions } from '../collections/Transcriptions'

/**
 * The SDK test kit's core collections preset (`coreCollections()`) is the core contract plugins are
 * tested against: every field it declares must exist in the host's collection of the same slug with
 * the same type (and relation, options, upload-ness), so the preset and the host cannot drift apart
 * silently. The host may have more fields than the preset; never fewer or different ones.
 */

interface FieldShape {
  type: string
  relationTo?: string | string[]
  hasMany?: boolean
  options?: string[]
  required?: boolean
}

/** Named fields by path (`group.child`), with what makes their column and values. */
const shapes = (fields: Field[], prefix = ''): Map<string, FieldShape> => {
  const out = new Map<string, FieldShape>()
  for (const field of fields) {
    if (!('name' in field) || field.type === 'ui') continue
    const name = `${prefix}${field.name}`
    const shape: FieldShape = { type: field.type }
    if ('relationTo' in field) shape.relationTo = field.relationTo as string | string[]
    if ('hasMany' in field && field.hasMany) shape.hasMany = true
    if (field.type === 'select') shape.options = field.options.map((option) => (typeof option === 'string' ? option : option.value))
    if ('required' in field && field.required) shape.required = true
    out.set(name, shape)
    if (field.type === 'group' && 'fields' in field) for (const [child, value] of shapes(field.fields, `${name}.`)) out.set(child, value)
  }
  return out
}

/** Where the preset and the host differ, as readable lines (empty when the preset is a faithful subset). */
const differences = (preset: CollectionConfig[], host: CollectionConfig[]): string[] => {
  const problems: string[] = []
  for (const collection of preset) {
    const counterpart = host.find((candidate) => candidate.slug === collection.slug)
    if (!counterpart) {
      problems.push(`${collection.slug}: the host has no such collection`)
      continue
    }
    if (Boolean(collection.upload) !== Boolean(counterpart.upload)) problems.push(`${collection.slug}: upload ${Boolean(collection.upload)} in the preset, ${Boolean(counterpart.upload)} in the host`)
    if (Boolean(collection.timestamps ?? true) !== Boolean(counterpart.timestamps ?? true)) problems.push(`${collection.slug}: timestamps differ`)
    const hostFields = shapes(counterpart.fields)
    for (const [name, shape] of shapes(collection.fields)) {
      const other = hostFields.get(name)
      if (!other) {
        problems.push(`${collection.slug}.${name}: not in the host`)
        continue
      }
      if (other.type !== shape.type) problems.push(`${collection.slug}.${name}: ${shape.type} in the preset, ${other.type} in the host`)
      if (JSON.stringify(other.relationTo) !== JSON.stringify(shape.relationTo)) problems.push(`${collection.slug}.${name}: relates to ${String(shape.relationTo)} in the preset, ${String(other.relationTo)} in the host`)
      if (Boolean(other.hasMany) !== Boolean(shape.hasMany)) problems.push(`${collection.slug}.${name}: hasMany differs`)
      if (Boolean(other.required) !== Boolean(shape.required)) problems.push(`${collection.slug}.${name}: required in one and not the other`)
      if (shape.options && JSON.stringify(shape.options) !== JSON.stringify(other.options)) problems.push(`${collection.slug}.${name}: options ${shape.options.join('|')} in the preset, ${other.options?.join('|')} in the host`)
    }
  }
  return problems
}

const hostCollections = (): CollectionConfig[] => [Languages, Sentences, createRecordings({ staticDir: '/nonexistent' }), createTranscriptions()]

describe('the test kit core preset and the host', () => {
  test('covers the core collections plugins build on', () => {
    expect(coreCollections().map((collection) => collection.slug)).toEqual(['languages', 'sentences', 'recordings', 'transcriptions'])
  })

  test('every field the preset declares exists in the host with the same type, relation, options and requiredness', () => {
    expect(differences(coreCollections(), hostCollections())).toEqual([])
  })

  test('the check catches drift: a renamed field, a changed type, a changed relation or options, a missing collection', () => {
    const drifted = hostCollections().map((collection): CollectionConfig => {
      if (collection.slug === 'recordings') {
        return {
          ...collection,
          fields: collection.fields
            .filter((field) => !('name' in field) || field.name !== 'clientId')
            .map((field) => ('name' in field && field.name === 'scriptText' ? ({ ...field, type: 'text' } as Field) : field))
            .map((field) => ('name' in field && field.name === 'sentence' ? ({ ...field, relationTo: 'languages' } as Field) : field))
            .map((field) => ('name' in field && field.name === 'mode' ? ({ ...field, options: ['prompt'] } as Field) : field)),
        }
      }
      return collection
    })
    expect(differences(coreCollections(), drifted.filter((collection) => collection.slug !== 'transcriptions'))).toEqual([
      'recordings.clientId: not in the host',
      'recordings.mode: options prompt|long in the preset, prompt in the host',
      'recordings.sentence: relates to sentences in the preset, languages in the host',
      'recordings.scriptText: textarea in the preset, text in the host',
      'transcriptions: the host has no such collection',
    ])
  })
})
