import { TryRules as TryRules_02a99bfb407f5517e24e860d63e811bd } from '../../../../admin/Curation/TryRules'
import { SentenceListTools as SentenceListTools_651d6eb55e92b2cff6933cdf10ad6ece } from '../../../../admin/Curation/SentenceListTools'
import { ImportView as ImportView_e608f98910ddc53d4f63a1060b10c3e5 } from '../../../../admin/Curation/ImportView'
import { ReadOnlyJson as ReadOnlyJson_6ca27a12e930521b916c7ee89fdb7cbd } from '@shrutik/plugin-sdk/admin'
import { AudioPanel as AudioPanel_e4f6ccb95e86da71c1cff13455910d2a } from '@shrutik/plugin-audio-processing/admin'
import { SegmentsList as SegmentsList_e4f6ccb95e86da71c1cff13455910d2a } from '@shrutik/plugin-audio-processing/admin'
import { ImportStatus as ImportStatus_d88361a797130f69231bf580779f60d7 } from '../../../../admin/Curation/ImportStatus'
import { ResendInvitationButton as ResendInvitationButton_d52e902ab5c48e9f27f3653329ac547b } from '../../../../admin/Email/ResendInvitationButton'
import { ExportProgress as ExportProgress_5070ccd7afa994281c64b27d3d3fd2c1 } from '@shrutik/plugin-export/admin'
import { TestEmailButton as TestEmailButton_d902b36990a61e59bd5c5a29f7588dae } from '../../../../admin/Email/TestEmailButton'
import { NotificationsNavLink as NotificationsNavLink_62a7bbd4719faa5a7b2188c83df04f0f } from '../../../../admin/Notifications/NotificationsNavLink'
import { JobsNavLink as JobsNavLink_7775d56a1430b9b4b1bb2752eb20aaeb } from '../../../../admin/Jobs/JobsNavLink'
import { CoverageNavLink as CoverageNavLink_d974a92dfe9d3c0da1ac272be11d98e3 } from '../../../../admin/Curation/CoverageView'
import { CurationNavLinks as CurationNavLinks_6f871cfcf42861e1437a873304bdfa11 } from '../../../../admin/Curation/QueueViews'
import { TemplatesNavLink as TemplatesNavLink_d4de932eb1255c3b9081c39ba4a8cbd9 } from '../../../../admin/Email/TemplatesView'
import { ReviewNavLink as ReviewNavLink_983505dddb0796ee66f907cf5000f6d2 } from '@shrutik/plugin-consensus/admin'
import { Dashboard as Dashboard_2bd71b10f66b8074511c2efdd059c995 } from '../../../../admin/Dashboard/Dashboard'
import { S3ClientUploadHandler as S3ClientUploadHandler_f97aa6c64367fa259c5bc0567239ef24 } from '@payloadcms/storage-s3/client'
import { JobsView as JobsView_714d482e81fd97a17e89a5378c02d8c5 } from '../../../../admin/Jobs/JobsView'
import { NotificationsView as NotificationsView_60de2e01584f078e8671383a2be60864 } from '../../../../admin/Notifications/NotificationsView'
import { CoverageView as CoverageView_d974a92dfe9d3c0da1ac272be11d98e3 } from '../../../../admin/Curation/CoverageView'
import { ReviewView as ReviewView_6f871cfcf42861e1437a873304bdfa11 } from '../../../../admin/Curation/QueueViews'
import { ReportsView as ReportsView_6f871cfcf42861e1437a873304bdfa11 } from '../../../../admin/Curation/QueueViews'
import { TemplatesView as TemplatesView_d4de932eb1255c3b9081c39ba4a8cbd9 } from '../../../../admin/Email/TemplatesView'
import { ReviewView as ReviewView_983505dddb0796ee66f907cf5000f6d2 } from '@shrutik/plugin-consensus/admin'
import { CollectionCards as CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1 } from '@payloadcms/next/rsc'

/** @type import('payload').ImportMap */
export const importMap = {
  "/admin/Curation/TryRules#TryRules": TryRules_02a99bfb407f5517e24e860d63e811bd,
  "/admin/Curation/SentenceListTools#SentenceListTools": SentenceListTools_651d6eb55e92b2cff6933cdf10ad6ece,
  "/admin/Curation/ImportView#ImportView": ImportView_e608f98910ddc53d4f63a1060b10c3e5,
  "@shrutik/plugin-sdk/admin#ReadOnlyJson": ReadOnlyJson_6ca27a12e930521b916c7ee89fdb7cbd,
  "@shrutik/plugin-audio-processing/admin#AudioPanel": AudioPanel_e4f6ccb95e86da71c1cff13455910d2a,
  "@shrutik/plugin-audio-processing/admin#SegmentsList": SegmentsList_e4f6ccb95e86da71c1cff13455910d2a,
  "/admin/Curation/ImportStatus#ImportStatus": ImportStatus_d88361a797130f69231bf580779f60d7,
  "/admin/Email/ResendInvitationButton#ResendInvitationButton": ResendInvitationButton_d52e902ab5c48e9f27f3653329ac547b,
  "@shrutik/plugin-export/admin#ExportProgress": ExportProgress_5070ccd7afa994281c64b27d3d3fd2c1,
  "/admin/Email/TestEmailButton#TestEmailButton": TestEmailButton_d902b36990a61e59bd5c5a29f7588dae,
  "/admin/Notifications/NotificationsNavLink#NotificationsNavLink": NotificationsNavLink_62a7bbd4719faa5a7b2188c83df04f0f,
  "/admin/Jobs/JobsNavLink#JobsNavLink": JobsNavLink_7775d56a1430b9b4b1bb2752eb20aaeb,
  "/admin/Curation/CoverageView#CoverageNavLink": CoverageNavLink_d974a92dfe9d3c0da1ac272be11d98e3,
  "/admin/Curation/QueueViews#CurationNavLinks": CurationNavLinks_6f871cfcf42861e1437a873304bdfa11,
  "/admin/Email/TemplatesView#TemplatesNavLink": TemplatesNavLink_d4de932eb1255c3b9081c39ba4a8cbd9,
  "@shrutik/plugin-consensus/admin#ReviewNavLink": ReviewNavLink_983505dddb0796ee66f907cf5000f6d2,
  "/admin/Dashboard/Dashboard#Dashboard": Dashboard_2bd71b10f66b8074511c2efdd059c995,
  "@payloadcms/storage-s3/client#S3ClientUploadHandler": S3ClientUploadHandler_f97aa6c64367fa259c5bc0567239ef24,
  "/admin/Jobs/JobsView#JobsView": JobsView_714d482e81fd97a17e89a5378c02d8c5,
  "/admin/Notifications/NotificationsView#NotificationsView": NotificationsView_60de2e01584f078e8671383a2be60864,
  "/admin/Curation/CoverageView#CoverageView": CoverageView_d974a92dfe9d3c0da1ac272be11d98e3,
  "/admin/Curation/QueueViews#ReviewView": ReviewView_6f871cfcf42861e1437a873304bdfa11,
  "/admin/Curation/QueueViews#ReportsView": ReportsView_6f871cfcf42861e1437a873304bdfa11,
  "/admin/Email/TemplatesView#TemplatesView": TemplatesView_d4de932eb1255c3b9081c39ba4a8cbd9,
  "@shrutik/plugin-consensus/admin#ReviewView": ReviewView_983505dddb0796ee66f907cf5000f6d2,
  "@payloadcms/next/rsc#CollectionCards": CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1
}
