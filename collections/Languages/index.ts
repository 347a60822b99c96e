import type { CollectionConfig } from 'payload'

import { anyone, isAdmin } from '../../src/access'
import { validateRules, type SentenceRules } from '../Sentences/core'

/** BCP-47 language tags as used by Common Voice and Hugging Face: `bn`, `en`, `sat-Olck`, `pt-BR`. */
export const BCP47 = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$/

export const Languages: CollectionConfig = {
  slug: 'languages',
  admin: { useAsTitle: 'name', defaultColumns: ['code', 'name', 'nativeName', 'isActive'], group: 'Corpus' },
  access: {
    // The public site lists languages to contribute in.
    read: anyone,
    create: isAdmin,
    update: isAdmin,
    delete: isAdmin,
  },
  fields: [
    {
      name: 'code',
      type: 'text',
      required: true,
      unique: true,
      admin: { description: 'BCP-47 tag, for example bn, en, sat-Olck, pt-BR.' },
      validate: (value: string | null | undefined) =>
        typeof value === 'string' && BCP47.test(value) ? true : 'Use a BCP-47 language tag such as "bn", "en" or "pt-BR".',
    },
    { name: 'name', type: 'text', required: true, admin: { description: 'Name in English.' } },
    { name: 'nativeName', type: 'text', required: true, admin: { description: 'Name in the language itself.' } },
    {
      name: 'direction',
      type: 'select',
      options: [
        { label: 'Left to right', value: 'ltr' },
        { label: 'Right to left', value: 'rtl' },
      ],
      defaultValue: 'ltr',
      required: true,
    },
    {
      name: 'sentenceRules',
      type: 'group',
      admin: { description: 'Sentences that break a rule are refused when added or imported, with the rule and why.' },
      validate: (value: unknown) => validateRules((value ?? {}) as SentenceRules),
      fields: [
        { name: 'minWords', type: 'number', min: 1, defaultValue: 1 },
        { name: 'maxWords', type: 'number', min: 1, defaultValue: 14 },
        { name: 'minCharacters', type: 'number', min: 1, defaultValue: 3 },
        { name: 'maxCharacters', type: 'number', min: 1, defaultValue: 125 },
        {
          name: 'allowedCharacters',
          type: 'text',
          admin: { description: 'Optional: the characters a sentence may use, as a regular-expression character class body, e.g. "\\u0980-\\u09FF ।,?!-".' },
        },
        {
          name: 'allowedScripts',
          type: 'text',
          admin: { description: 'Optional: Unicode scripts letters must belong to, comma-separated, e.g. "Bengali" or "Latin".' },
        },
        { name: 'bannedSymbols', type: 'text', admin: { description: 'Characters refused anywhere, e.g. #@&*<>{}[]' } },
        { name: 'allowDigits', type: 'checkbox', defaultValue: true, admin: { description: 'Untick to refuse digits in any script (0-9, ০-৯): numbers read ambiguously.' } },
        {
          name: 'allowAbbreviations',
          type: 'checkbox',
          defaultValue: true,
          admin: { description: 'Untick to refuse abbreviations: all-capital words (BBC), dotted short forms (Dr., ডা.) and those listed below.' },
        },
        { name: 'abbreviations', type: 'textarea', admin: { description: 'Abbreviations to refuse, one per line or comma-separated (e.g. etc, মি.).' } },
        { name: 'terminalPunctuation', type: 'text', admin: { description: 'Optional: a sentence must end with one of these, e.g. "।?!" or ".?!".' } },
      ],
    },
    {
      // "Try a sentence": checks a sentence against the rules as edited above, before saving.
      name: 'tryRules',
      type: 'ui',
      admin: { components: { Field: '/admin/Curation/TryRules#TryRules' } },
    },
    {
      name: 'approvalsNeeded',
      type: 'number',
      min: 1,
      max: 20,
      defaultValue: 2,
      required: true,
      admin: { description: 'Approvals a pending sentence needs (outnumbering rejections) to be approved; as many rejections reject it.' },
    },
    {
      name: 'recordingsPerSentence',
      type: 'number',
      min: 1,
      defaultValue: 1,
      required: true,
      admin: { description: 'Recordings wanted of each sentence; the coverage view counts the hours still to be had at this target.' },
    },
    { name: 'targetHours', type: 'number', min: 0, defaultValue: 1000, admin: { description: 'Hours of validated speech the community aims for.' } },
    { name: 'isActive', type: 'checkbox', defaultValue: true, index: true },
  ],
  timestamps: true,
}
