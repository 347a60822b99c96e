import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { postgresAdapter } from '@payloadcms/db-postgres'
import { s3Storage } from '@payloadcms/storage-s3'
import { audioProcessingPlugin } from '@shrutik/plugin-audio-processing'
import { consensusPlugin } from '@shrutik/plugin-consensus'
import { exportPlugin } from '@shrutik/plugin-export'
import { webhooksPlugin, type WebhookEvent } from '@shrutik/plugin-webhooks'
import { provideServices, registerJobs, setFileStore } from '@shrutik/plugin-sdk'
import { buildConfig, type Config, type PayloadRequest, type Plugin } from 'payload'
import { bnBd } from '@payloadcms/translations/languages/bnBd'
import { en } from '@payloadcms/translations/languages/en'
import sharp from 'sharp'

import { AdminNotifications } from './collections/AdminNotifications'
import { Contributors } from './collections/Contributors'
import { ContributorProfiles } from './collections/ContributorProfiles'
import { Takeouts } from './collections/Takeouts'
import { Withdrawals } from './collections/Withdrawals'
import { Languages } from './collections/Languages'
import { createRecordings, safeDownloadHeaders } from './collections/Recordings'
import { Sentences } from './collections/Sentences'
import { createTranscriptions } from './collections/Transcriptions'
import { createUsers } from './collections/Users'
import { withEstimatedCounts } from './src/db/estimatedCount'
import { pruneFinishedJobs } from './src/jobs/coreJobs'
import { createMedia } from './collections/Media'
import { SentenceSkips } from './collections/SentenceSkips'
import { createSentenceImports } from './collections/SentenceImports'
import { SentenceReviews } from './collections/SentenceReviews'
import { curationModule } from './src/curation/plugin'
import { dashboardEndpoints } from './src/dashboard/endpoints'
import { refreshDashboardRollupJob } from './src/dashboard/rollup'
import { createSiteSettings } from './collections/SiteSettings'
import { Backups, BackupSettings } from './collections/Backups'
import { backupModule } from './src/backup/plugin'
import { queuedEmailAdapter, sendEmailJob } from './src/email'
import { jobEndpoints } from './src/jobs/endpoints'
import { testEmailEndpoint } from './src/email/testEmail'
import { emailModule } from './src/email/plugin'
import { contributionModule } from './src/contribution/plugin'
import { goalsModule } from './src/goals/plugin'
import { checkNotificationsJob } from './src/notifications/checks'
import { notificationEndpoints } from './src/notifications/endpoints'
import { withdrawnAmong } from './src/contribution/withdrawal'
import { localeName, REAL_LOCALES } from './src/site/i18n'
import { THEMES } from './src/site/themes'
import { constraintErrorsAreBadRequests, databaseRefusalsAreForbidden, databaseUnavailableIsServiceUnavailable } from './src/lib/databaseErrors'
import { logger, payloadLogDestination } from './src/lib/logger'
import { assertRoomFor, storageFullIsInsufficientStorage } from './src/lib/diskSpace'
import { firstAdminSetupModule } from './src/lib/firstAdminSetup'
import { streamStoredUpload } from './src/lib/serveUpload'
import { identifyContributor } from './src/access/contributor'
import { malformedPayloadFieldIsBadRequest, removeRequestTempFiles, withTempFileCleanup } from './src/lib/uploadTempFiles'
import { dataDir, isProduction, mediaDir, MULTIPART_OVERHEAD_BYTES, resolvePayloadSecret, s3Settings, settings } from './src/lib/env'
import { fileStoreFromEnv, MEDIA_FOLDERS, s3ClientConfig } from './src/storage'
import { pluginsLeftOutForTests, REMOVABLE_PLUGINS, type RemovablePlugin } from './src/lib/removablePlugins'

const dirname = path.dirname(fileURLToPath(import.meta.url))
const env = settings()
// Media on local disk (MEDIA_DIR), or in an S3 bucket when S3_BUCKET is set (README "Media on S3").
const s3 = s3Settings()
const fileStore = fileStoreFromEnv()
const s3Prefix = (folder: string) => (s3?.prefix ? `${s3.prefix}/${folder}` : folder)

export { REMOVABLE_PLUGINS, type RemovablePlugin }

export interface ConfigOptions {
  /** Plugins left out, as if their lines below were deleted. @default [] */
  without?: RemovablePlugin[]
  /** The database to use. @default process.env.DATABASE_URL */
  databaseUrl?: string
}

/**
 * The one place where the database, collections, globals and plugins are listed, in order.
 * Configuration comes from environment variables (src/lib/env.ts, documented in the README).
 * `createConfig({ without })` builds the same platform without some plugins (the removal suites).
 */
export const createConfig = ({ without = [], databaseUrl }: ConfigOptions = {}): Config => {
  const included = (name: RemovablePlugin, plugin: Plugin): Plugin[] => (without.includes(name) ? [] : [plugin])
  return registerJobs(baseConfig(databaseUrl, included), [pruneFinishedJobs, sendEmailJob, refreshDashboardRollupJob, checkNotificationsJob])
}

const baseConfig = (databaseUrl: string | undefined, included: (name: RemovablePlugin, plugin: Plugin) => Plugin[]): Config => ({
  secret: resolvePayloadSecret(),
  serverURL: env.serverURL,
  cors: [env.serverURL],
  csrf: [env.serverURL],
  cookiePrefix: 'shrutik',
  telemetry: false,
  // Host services reach plugins through their Payload instance (the job runtime adds the queue when
  // it starts); the process-wide store stays for core readers that have no instance at hand.
  onInit: async (payload) => {
    provideServices(payload, { fileStore, logger, settings: { serverURL: env.serverURL, dataDir: dataDir() } })
    setFileStore(fileStore)
  },
  // Payload's pino logger writes through winston: one JSON format in one stream.
  logger: { options: { level: env.logLevel }, destination: payloadLogDestination },
  // Refusals we raise on purpose (4xx with a message for the user) are not server errors.
  loggingLevels: { APIError: 'info', AuthenticationError: 'info', LockedAuth: 'info', QueryError: 'info', Forbidden: 'info' },
  admin: {
    user: 'users',
    // Gravatar needs the internet; many installs have none.
    avatar: 'default',
    meta: { titleSuffix: ' — Shrutik' },
    components: {
      // The campaign dashboard above Payload's collection cards, for admins and reviewers (admin/Dashboard).
      beforeDashboard: ['/admin/Dashboard/Dashboard#Dashboard'],
      views: {
        jobs: { Component: '/admin/Jobs/JobsView#JobsView', path: '/jobs', exact: true },
        notifications: { Component: '/admin/Notifications/NotificationsView#NotificationsView', path: '/notifications', exact: true },
        coverage: { Component: '/admin/Curation/CoverageView#CoverageView', path: '/coverage', exact: true },
        // Sentence curation (admin/Curation): the review and report queues (the importer is a view of Sentences).
        sentenceReview: { Component: '/admin/Curation/QueueViews#ReviewView', path: '/sentence-review', exact: true },
        sentenceReports: { Component: '/admin/Curation/QueueViews#ReportsView', path: '/sentence-reports', exact: true },
        // Every email in every language, rendered with sample data (admin/Email).
        emailTemplates: { Component: '/admin/Email/TemplatesView#TemplatesView', path: '/email-templates', exact: true },
      },
      afterNavLinks: ['/admin/Notifications/NotificationsNavLink#NotificationsNavLink', '/admin/Jobs/JobsNavLink#JobsNavLink', '/admin/Curation/CoverageView#CoverageNavLink', '/admin/Curation/QueueViews#CurationNavLinks', '/admin/Email/TemplatesView#TemplatesNavLink'],
    },
    importMap: {
      baseDir: dirname,
      importMapFile: path.resolve(dirname, 'src/app/(payload)/admin/importMap.js'),
    },
  },
  // Long sentence lists (a search for a common word over a million sentences) get an estimated
  // count from the query plan instead of counting every match (src/db/estimatedCount.ts).
  db: withEstimatedCounts(postgresAdapter({
    pool: {
      // Set by src/db/embedded.ts when no DATABASE_URL is given; a build never connects.
      connectionString: databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://localhost:5432/shrutik',
      max: Number(process.env.PG_POOL_MAX ?? 10),
    },
    // Schema changes only through committed migrations (src/migrations), never by dev-mode push.
    push: false,
    migrationDir: path.resolve(dirname, 'src/migrations'),
    // Agenda and the rate limiter keep their own tables in this database.
    // The import's staging table is written by SQL alone (src/curation/import.ts, created by a migration).
    tablesFilter: ['!agenda_*', '!rate_limits', '!sentence_import_rows', '!dashboard_*', '!notification_checks'],
  }), { collections: ['sentences'] }),
  // Upload collections drop temp files Payload would not (src/lib/uploadTempFiles.ts).
  collections: withTempFileCleanup([
    createUsers({
      allowSelfRegistration: env.allowSelfRegistration,
      maxLoginAttempts: env.maxLoginAttempts,
      lockTimeMs: env.lockTimeMs,
      tokenExpirationSeconds: env.tokenExpirationSeconds,
      secureCookies: isProduction() && env.serverURL.startsWith('https://'),
      uiLocales: REAL_LOCALES.map((locale) => ({ value: locale, label: localeName(locale) })),
    }),
    Languages,
    Sentences,
    createRecordings({
      staticDir: path.join(mediaDir(), MEDIA_FOLDERS.recordings),
      folder: MEDIA_FOLDERS.recordings,
      // Served from the media store (disk or S3) with ranges, from a stream that closes when the client goes away (src/lib/serveUpload.ts).
      serveFile: streamStoredUpload({ folder: MEDIA_FOLDERS.recordings, modifyHeaders: safeDownloadHeaders }),
      // A full disk refuses the upload with 507 before anything is written (src/lib/diskSpace.ts); no check with media on S3.
      ...(s3 ? {} : { assertRoom: (req: PayloadRequest) => assertRoomFor(req, path.join(mediaDir(), MEDIA_FOLDERS.recordings)) }),
    }),
    createTranscriptions(),
    SentenceSkips,
    // Sentence curation: bulk imports (run as jobs by the curation module) and review votes.
    createSentenceImports({ staticDir: path.join(dataDir(), 'imports') }),
    SentenceReviews,
    Contributors,
    ContributorProfiles,
    Withdrawals,
    Takeouts,
    createMedia({ staticDir: path.join(mediaDir(), MEDIA_FOLDERS.site) }),
    Backups,
    AdminNotifications,
  ]),
  globals: [createSiteSettings({ themes: THEMES, locales: REAL_LOCALES }), BackupSettings],
  // Emails (verification, invitations, password resets, weekly summaries) are queued as jobs and sent by a worker through nodemailer (SMTP_URL).
  email: queuedEmailAdapter({ fromAddress: env.emailFrom, fromName: env.emailFromName }),
  // The admin in English or Bengali (Payload's own translations), chosen per user.
  i18n: { supportedLanguages: { en, 'bn-BD': bnBd }, fallbackLanguage: 'en' },
  hooks: { afterError: [databaseUnavailableIsServiceUnavailable, storageFullIsInsufficientStorage, constraintErrorsAreBadRequests, databaseRefusalsAreForbidden, malformedPayloadFieldIsBadRequest, removeRequestTempFiles] },
  endpoints: [...jobEndpoints, ...dashboardEndpoints, ...notificationEndpoints, testEmailEndpoint],
  // Abuse limits: no deep population, and GraphQL (which the platform does not use) is off.
  maxDepth: env.apiMaxDepth,
  defaultDepth: 1,
  graphQL: { disable: true },
  upload: {
    limits: { fileSize: env.uploadMaxBytes },
    // Payload's parser caps a whole multipart body at 50 MB unless told otherwise: UPLOAD_MAX_BYTES
    // plus the form around the file, so a larger limit really works.
    requestSizeLimit: env.uploadMaxBytes + MULTIPART_OVERHEAD_BYTES,
    // Reject oversize uploads with 413 instead of silently truncating them.
    abortOnLimit: true,
    responseOnLimit: `The file is too large. The limit is ${Math.round(env.uploadMaxBytes / 1024 / 1024)} MB.`,
    // Stream uploads to disk rather than holding them in memory.
    useTempFiles: true,
    tempFileDir: path.join(dataDir(), 'tmp', 'uploads'),
    // Names keep only letters, digits, "-" and "_", and their extension ("logo.png", not "logopng").
    safeFileNames: true,
    preserveExtension: 4,
  },
  sharp,
  // Plugins, in order. Each adds its schema first, then behaviour (see plugins/*/README.md).
  // The host's own modules come first: they add behaviour to the core collections above, which the
  // collections themselves never import (tests/layering.test.ts).
  plugins: [
    // The first account becomes the admin only with the one-time setup link.
    firstAdminSetupModule(),
    // The public site's server side: endpoints, the sentence pool and its hooks, recording counts,
    // account deletion as a withdrawal, takeouts, reset emails in the account's language.
    contributionModule(),
    // Address verification, invitations, the weekly summary and its unsubscribe link (src/email).
    emailModule(),
    // Weekly goals, streaks and opt-in leaderboards (src/goals).
    goalsModule(),
    // Sentence imports run as jobs; review, report and coverage endpoints.
    curationModule(),
    // Backups on demand and on schedule.
    backupModule(),
    ...included('audio-processing', audioProcessingPlugin({ recordingsFolder: MEDIA_FOLDERS.recordings, processedFolder: MEDIA_FOLDERS.processed })),
    // Votes, transcript consensus, reliability and the review queue; needs the segments above.
    // Contributors are accounts or server-issued anonymous ids, with the current consent (src/access/contributor.ts).
    ...included('consensus', consensusPlugin({ identify: identifyContributor })),
    // Dataset exports (formats, splits, archives, downloads); reads segments, consensus and votes above.
    ...included('export', exportPlugin({
      exportsDir: path.join(dataDir(), 'exports'),
      shardSize: env.exportShardSize,
      lockLifetimeMs: env.exportLockLifetimeMs,
      // Withdrawn consent reaches every later export (src/contribution/withdrawal.ts).
      withdrawnRecordings: withdrawnAmong,
    })),
    // Signed POSTs to other systems when segments are decided (WEBHOOK_URLS; the example plugin in examples/webhooks).
    ...included('webhooks', webhooksPlugin({ ...env.webhooks, events: env.webhooks.events as WebhookEvent[] })),
    // Uploads to S3 with the official adapter, under the keys the file store reads
    // (`<S3_PREFIX>/recordings/<file>`). Always listed, enabled only with S3_BUCKET, so the schema
    // (its `prefix` and `_objectKey` columns) is the same with either store.
    s3Storage({
      enabled: Boolean(s3),
      alwaysInsertFields: true,
      bucket: s3?.bucket ?? '',
      config: s3 ? s3ClientConfig(s3) : {},
      collections: { recordings: { prefix: s3Prefix(MEDIA_FOLDERS.recordings) }, media: { prefix: s3Prefix(MEDIA_FOLDERS.site) } },
    }),
  ],
  typescript: {
    outputFile: path.resolve(dirname, 'src/payload-types.ts'),
    autoGenerate: false,
  },
})

// Core jobs are registered the same way plugins register theirs (plugins/sdk, in createConfig).
export default buildConfig(createConfig({ without: pluginsLeftOutForTests() }))
