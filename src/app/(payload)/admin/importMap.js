import { JobsNavLink as JobsNavLink_7775d56a1430b9b4b1bb2752eb20aaeb } from '../../../../admin/Jobs/JobsNavLink'
import { JobsView as JobsView_714d482e81fd97a17e89a5378c02d8c5 } from '../../../../admin/Jobs/JobsView'
import { CollectionCards as CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1 } from '@payloadcms/next/rsc'

/** @type import('payload').ImportMap */
export const importMap = {
  "/admin/Jobs/JobsNavLink#JobsNavLink": JobsNavLink_7775d56a1430b9b4b1bb2752eb20aaeb,
  "/admin/Jobs/JobsView#JobsView": JobsView_714d482e81fd97a17e89a5378c02d8c5,
  "@payloadcms/next/rsc#CollectionCards": CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1
}
