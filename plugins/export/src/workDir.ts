import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'

import type { ExportRow } from './core'
import type { SanitizedExportOptions } from './options'
import type { PlannedExport } from './run'

/** Work folders: `<exportsDir>/.work/<exportId>-<runId>/` (plan.json, plan-<shard>.ndjson, files/, tmp/, archive). Never served. */
export const workDirOf = (settings: SanitizedExportOptions, exportId: number, runId: string): string => path.join(settings.exportsDir, '.work', `${exportId}-${runId}`)

/** Published archives: `<exportsDir>/<exportId>/<file>`. */
export const publishedDirOf = (settings: SanitizedExportOptions, exportId: number): string => path.join(settings.exportsDir, String(exportId))

/** Removes every work folder of an export (all runs), e.g. before a fresh attempt or after a cancel. */
export const removeWorkDirs = async (settings: SanitizedExportOptions, exportId: number): Promise<void> => {
  const root = path.join(settings.exportsDir, '.work')
  const entries = await fs.promises.readdir(root).catch(() => [] as string[])
  await Promise.all(entries.filter((name) => name.startsWith(`${exportId}-`)).map((name) => fs.promises.rm(path.join(root, name), { recursive: true, force: true })))
}

type PlanHeader = Omit<PlannedExport, 'rows' | 'audioPaths'> & { shardSize: number; shards: number }

const writeLines = async (file: string, lines: Iterable<string>) => {
  const temporary = `${file}.part`
  const stream = fs.createWriteStream(temporary)
  for (const line of lines) if (!stream.write(line)) await new Promise<void>((resolve) => stream.once('drain', resolve))
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())))
  await fs.promises.rename(temporary, file)
}

/**
 * The plan in the work folder: `plan.json` (everything but the rows) and one JSON-lines file per
 * shard (`plan-<shard>.ndjson`: a row and its audio path per line), so a shard job reads only its
 * own slice. Each file is written under a temp name, then renamed.
 */
export const writePlan = async (dir: string, planned: PlannedExport, shardSize: number): Promise<number> => {
  const { rows, audioPaths, ...rest } = planned
  const shards = Math.ceil(rows.length / shardSize)
  for (let shard = 0; shard < shards; shard++) {
    const lines = function* () {
      for (let index = shard * shardSize; index < Math.min(rows.length, (shard + 1) * shardSize); index++) yield `${JSON.stringify([audioPaths[index], rows[index]])}\n`
    }
    await writeLines(path.join(dir, `plan-${shard}.ndjson`), lines())
  }
  const header: PlanHeader = { ...rest, shardSize, shards }
  await fs.promises.writeFile(path.join(dir, 'plan.json.part'), JSON.stringify(header))
  await fs.promises.rename(path.join(dir, 'plan.json.part'), path.join(dir, 'plan.json'))
  return shards
}

/** One shard of the plan, or every shard in order (the final step). */
export const readPlan = async (dir: string, shard?: number): Promise<PlannedExport> => {
  const { shardSize: _size, shards, ...header } = JSON.parse(await fs.promises.readFile(path.join(dir, 'plan.json'), 'utf8')) as PlanHeader
  const rows: ExportRow[] = []
  const audioPaths: string[] = []
  for (const index of shard === undefined ? Array.from({ length: shards }, (_, each) => each) : [shard]) {
    const lines = readline.createInterface({ input: fs.createReadStream(path.join(dir, `plan-${index}.ndjson`)), crlfDelay: Infinity })
    for await (const line of lines) {
      if (!line) continue
      const [audioPath, row] = JSON.parse(line) as [string, ExportRow]
      rows.push(row)
      audioPaths.push(audioPath)
    }
  }
  return { ...header, rows, audioPaths }
}
