import fs from 'node:fs'
import path from 'node:path'

import type { SanitizedExportOptions } from './options'
import type { PlanHeader } from './run'

/** Work folders: `<exportsDir>/.work/<exportId>-<runId>/` (plan.json, files/, tmp/, archive). Never served. */
export const workDirOf = (settings: SanitizedExportOptions, exportId: number, runId: string): string => path.join(settings.exportsDir, '.work', `${exportId}-${runId}`)

/** Published archives: `<exportsDir>/<exportId>/<file>`. */
export const publishedDirOf = (settings: SanitizedExportOptions, exportId: number): string => path.join(settings.exportsDir, String(exportId))

/** Removes every work folder of an export (all runs), e.g. before a fresh attempt or after a cancel. */
export const removeWorkDirs = async (settings: SanitizedExportOptions, exportId: number): Promise<void> => {
  const root = path.join(settings.exportsDir, '.work')
  const entries = await fs.promises.readdir(root).catch(() => [] as string[])
  await Promise.all(entries.filter((name) => name.startsWith(`${exportId}-`)).map((name) => fs.promises.rm(path.join(root, name), { recursive: true, force: true })))
}

/** The plan's header in the work folder (`plan.json`, written under a temp name, then renamed); its rows are in the plan table. */
export const writePlan = async (dir: string, header: PlanHeader): Promise<void> => {
  await fs.promises.writeFile(path.join(dir, 'plan.json.part'), JSON.stringify(header))
  await fs.promises.rename(path.join(dir, 'plan.json.part'), path.join(dir, 'plan.json'))
}

export const readPlan = async (dir: string): Promise<PlanHeader> => JSON.parse(await fs.promises.readFile(path.join(dir, 'plan.json'), 'utf8')) as PlanHeader
