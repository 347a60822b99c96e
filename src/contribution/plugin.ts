import { idOf, registerJobs } from '@shrutik/plugin-sdk'
import type { CollectionConfig, Config } from 'payload'

import { resolveContributor } from '../access/contributor'
import { databaseFor } from '../db/transaction'
import { appendHooks, extendCollection, type CollectionHooks } from '../lib/extendConfig'
import { isLocale, translator, type Locale } from '../site/i18n'
import { contributionEndpoints } from './endpoints'
import { recountSentenceRecordings } from './recount'
import { sentencePools } from './sentencePool'
import { buildTakeoutJob } from './takeout'
import { purgeWithdrawalJob, withAccountDeletion } from './withdrawal'

/** The id of the recording this request noted to the sentence pool, to take back if it rolls back. */
const POOL_NOTE = Symbol('shrutik.sentencePoolNote')

const NAME = 'The contribution module (src/contribution)'

const sentenceHooks: CollectionHooks = {
  // The site serves sentences from a pool in memory (sentencePool.ts): an edited or deleted
  // sentence leaves it at once; new ones arrive with its next background reload.
  afterChange: [({ doc, operation, req }) => void sentencePools(req.payload).noteSentenceChanged(Number(doc.id), idOf(doc.language), operation === 'create')],
  afterDelete: [({ doc, req }) => void sentencePools(req.payload).noteSentenceChanged(Number(doc.id), idOf(doc.language), false)],
}

const recordingHooks: CollectionHooks = {
  afterChange: [
    async ({ doc, previousDoc, operation, req }) => {
      // Most updates (processing results) leave the sentence alone: nothing to recount.
      if (operation === 'update' && idOf(doc.sentence) === idOf(previousDoc?.sentence)) return doc
      await recountSentenceRecordings(await databaseFor(req), [doc.sentence, previousDoc?.sentence])
      const sentence = idOf(doc.sentence)
      if (operation === 'create' && sentence !== undefined) {
        // Never served to this contributor again, from this very moment. The identity as the
        // collection's beforeChange stored it (`clientId` is not readable here).
        const contributor = await resolveContributor(req)
        const by = contributor?.userId !== undefined ? { userId: contributor.userId } : { clientId: contributor?.clientId }
        sentencePools(req.payload).noteRecorded(sentence, Number(doc.id), by)
        ;(req.context as Record<symbol, unknown>)[POOL_NOTE] = Number(doc.id)
      } else if (operation === 'update') sentencePools(req.payload).noteStale(idOf(doc.language))
      return doc
    },
  ],
  afterDelete: [
    async ({ doc, req }) => {
      await recountSentenceRecordings(await databaseFor(req), [doc.sentence])
      if (doc.sentence) sentencePools(req.payload).noteRecordingGone(Number(doc.id), idOf(doc.language))
      return doc
    },
  ],
  afterError: [
    ({ req }) => {
      // The recording was noted to the sentence pool but its transaction rolled back.
      const noted = (req.context as Record<symbol, unknown>)[POOL_NOTE]
      if (typeof noted === 'number') sentencePools(req.payload).noteRecordingGone(noted)
    },
  ],
}

const localeOf = (user: unknown): Locale => {
  const preferred = (user as { uiLocale?: unknown } | undefined)?.uiLocale
  return isLocale(preferred) ? preferred : 'en'
}
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** A password-reset link goes to the public site's reset form, in the account's language. */
const withResetEmails = (users: CollectionConfig, serverURL: string): CollectionConfig => {
  const auth = typeof users.auth === 'object' ? users.auth : {}
  return {
    ...users,
    auth: {
      ...auth,
      forgotPassword: {
        ...auth.forgotPassword,
        generateEmailSubject: (args) => translator(localeOf(args?.user))('email.resetSubject'),
        generateEmailHTML: (args) => {
          const locale = localeOf(args?.user)
          const t = translator(locale)
          const link = `${serverURL}/${locale}/profile/reset?token=${encodeURIComponent(String(args?.token ?? ''))}`
          return `<p>${escapeHtml(t('email.resetBody'))}</p><p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p><p>${escapeHtml(t('email.resetIgnore'))}</p>`
        },
      },
    },
  }
}

/**
 * What the public site needs of the server, installed like a plugin: the `/api/site/...`
 * endpoints (passage, skip, consent, claim, withdraw, takeout, stats; next-sentences, the hottest
 * read, is serveNextSentences.ts mounted by the Express app), the in-memory sentence pool kept in step with the
 * sentences and recordings collections, each sentence's recording count, account deletion as a
 * withdrawal, the takeout and purge jobs, and password-reset emails that link to the site.
 */
export const contributionModule =
  () =>
  (incoming: Config): Config => {
    let config = extendCollection(incoming, 'sentences', (sentences) => appendHooks(sentences, sentenceHooks), NAME)
    config = extendCollection(config, 'recordings', (recordings) => appendHooks(recordings, recordingHooks), NAME)
    config = extendCollection(config, 'users', (users) => withResetEmails(withAccountDeletion(users), config.serverURL ?? ''), NAME)
    config = { ...config, endpoints: [...(config.endpoints ?? []), ...contributionEndpoints] }
    return registerJobs(config, [purgeWithdrawalJob, buildTakeoutJob])
  }
