import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'

import type { ExportRow } from './core'
import type { SanitizedExportOptions } from './options'
import type { PlannedExport } from './run'

/** Work folders: `<exportsDir>/.work/<exportId>-<runId>/` (plan.ndjson, files/, archive). Never served. */
export const workDirOf = (settings: SanitizedExportOptions, exportId: number, runId: string): string => path.join(settings.exportsDir, '.work', `${exportId}-${runId}`)

/** Published archives: `<exportsDir>/<exportId>/<file>`. */
export const publishedDirOf = (settings: SanitizedExportOptions, exportId: number): string => path.join(settings.exportsDir, String(exportId))

/** Removes every work folder of an export (all runs), e.g. before a fresh attempt or after a cancel. */
export const removeWorkDirs = async (settings: SanitizedExportOptions, exportId: number): Promise<void> => {
  const root = path.join(settings.exportsDir, '.work')
  const entries = await fs.promises.readdir(root).catch(() => [] as string[])
  await Promise.all(entries.filter((name) => name.startsWith(`${exportId}-`)).map((name) => fs.promises.rm(path.join(root, name), { recursive: true, force: true })))
}

type PlanHeader = Omit<PlannedExport, 'rows' | 'audioPaths'>

/** The plan as JSON lines (a header, then one row and its audio path per line), written atomically, read a slice at a time. */
export const writePlan = async (file: string, planned: PlannedExport): Promise<void> => {
  const { rows, audioPaths, ...header } = planned
  const temporary = `${file}.part`
  const stream = fs.createWriteStream(temporary)
  const write = (line: string) => (stream.write(line) ? Promise.resolve() : new Promise<void>((resolve) => stream.once('drain', resolve)))
  await write(`${JSON.stringify(header)}\n`)
  for (let index = 0; index < rows.length; index++) await write(`${JSON.stringify([audioPaths[index], rows[index]])}\n`)
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())))
  await fs.promises.rename(temporary, file)
}

/** Reads rows [from, to) of a plan (all by default), streaming past the others. */
export const readPlan = async (file: string, from = 0, to = Number.POSITIVE_INFINITY): Promise<PlannedExport> => {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })
  let header: PlanHeader | undefined
  const rows: ExportRow[] = []
  const audioPaths: string[] = []
  let index = -1
  for await (const line of lines) {
    if (!header) {
      header = JSON.parse(line) as PlanHeader
      continue
    }
    index++
    if (index < from) continue
    if (index >= to) break
    const [audioPath, row] = JSON.parse(line) as [string, ExportRow]
    rows.push(row)
    audioPaths.push(audioPath)
  }
  lines.close()
  if (!header) throw new Error(`The export plan ${file} is empty.`)
  return { ...header, rows, audioPaths }
}
