import fs from 'node:fs'
import { parseArgs } from 'node:util'

import { CommandError, type PluginCommand } from '@shrutik/plugin-sdk'

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/

/** `shrutik consensus aggregate`: the engine on a TSV of transcriptions, offline (no database). */
export const aggregateCommand: PluginCommand = {
  name: 'aggregate',
  help: `--in FILE.tsv --out FILE.tsv [--item-col NAME] [--contributor-col NAME (formerly --worker-col)]
      [--text-col NAME] [--lang CODE] [--strategy reliability|rover|medoid]
      [--adaptive [--min N] [--max N] [--threshold X] [--agreement X|off] [--seed N]]
  Agree on one text per item from many people's transcriptions (a TSV with a header; columns
  item, contributor (or worker), text by default); writes item, text, confidence; exit 65 on malformed input,
  66 unreadable. --adaptive replays collection: each item's transcriptions are read one at a
  time (seeded order) until the plugin's live rule stops; adds a judgments column (how many
  were read). --agreement sets the agreement rule's tolerance (0–0.5) or switches it off.`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        in: { type: 'string' },
        out: { type: 'string' },
        'item-col': { type: 'string' },
        'contributor-col': { type: 'string' },
        // The option's former name, still accepted.
        'worker-col': { type: 'string' },
        'text-col': { type: 'string' },
        lang: { type: 'string' },
        strategy: { type: 'string' },
        adaptive: { type: 'boolean' },
        min: { type: 'string' },
        max: { type: 'string' },
        seed: { type: 'string' },
        threshold: { type: 'string' },
        agreement: { type: 'string' },
      },
      strict: true,
    })
    if (!values.in || !values.out) throw new CommandError('consensus aggregate needs --in FILE.tsv and --out FILE.tsv.')
    for (const name of ['min', 'max', 'seed', 'threshold', 'agreement'] as const) {
      if (values[name] !== undefined && !values.adaptive) throw new CommandError(`--${name} only applies with --adaptive.`)
    }
    const integer = (name: 'min' | 'max' | 'seed', lowest: number) => {
      const raw = values[name]
      if (raw === undefined) return undefined
      if (!/^\d+$/.test(raw) || Number(raw) < lowest || !Number.isSafeInteger(Number(raw))) throw new CommandError(`--${name} needs a whole number ≥ ${lowest}, not "${raw}".`)
      return Number(raw)
    }
    const minJudgments = integer('min', 1)
    const maxJudgments = integer('max', 1)
    const seed = integer('seed', 0)
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold)
    if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) throw new CommandError(`--threshold needs a confidence in (0, 1], not "${values.threshold}".`)
    const agreementOff = values.agreement === 'off'
    const tolerance = values.agreement === undefined || agreementOff ? undefined : Number(values.agreement)
    if (tolerance !== undefined && !(values.agreement!.trim() !== '' && tolerance >= 0 && tolerance <= 0.5)) {
      throw new CommandError(`--agreement needs a share of words from 0 to 0.5, or off, not "${values.agreement}".`)
    }
    if (values.lang !== undefined && !LANGUAGE_TAG.test(values.lang)) throw new CommandError(`--lang needs a language code such as bn, en or en-GB, not "${values.lang}".`)
    const core = await import('./core')
    const strategyName = values.strategy ?? 'reliability'
    if (!Object.hasOwn(core.TRANSCRIPT_STRATEGIES, strategyName)) {
      throw new CommandError(`--strategy must be one of ${Object.keys(core.TRANSCRIPT_STRATEGIES).join(', ')}, not "${strategyName}".`)
    }
    const adaptiveDefaults = core.DEFAULT_DECISION_SETTINGS
    if ((minJudgments ?? adaptiveDefaults.minTranscriptions) > (maxJudgments ?? adaptiveDefaults.maxTranscriptions)) {
      throw new CommandError(`--min (${minJudgments ?? adaptiveDefaults.minTranscriptions}) must not exceed --max (${maxJudgments ?? adaptiveDefaults.maxTranscriptions}).`)
    }
    const started = performance.now()
    let input: string
    try {
      input = await fs.promises.readFile(values.in, 'utf8')
    } catch (error) {
      throw new CommandError(`cannot read ${values.in}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 66)
    }
    let transcripts: ReturnType<typeof core.transcriptsFromTable>
    try {
      transcripts = core.transcriptsFromTable(core.parseTsv(input), { itemColumn: values['item-col'], contributorColumn: values['contributor-col'] ?? values['worker-col'], textColumn: values['text-col'] })
    } catch (error) {
      throw new CommandError(`${values.in}: ${(error as Error).message}`, 65)
    }
    const normalize = values.lang ? { language: values.lang } : {}
    let items: { item: string; text: string; confidence: number; judgments: number }[]
    let adaptiveSummary = ''
    if (values.adaptive) {
      const decision = {
        transcriptStrategy: strategyName,
        minTranscriptions: minJudgments,
        maxTranscriptions: maxJudgments,
        transcriptConfidenceThreshold: threshold,
        transcriptAgreement: agreementOff ? false : undefined,
        transcriptAgreementTolerance: tolerance,
      }
      const chosen = core.withDefaults(core.DEFAULT_DECISION_SETTINGS, decision)
      const simulation = core.simulateAdaptiveCollection(transcripts, { seed, decision, normalize })
      items = simulation.items
      const review = simulation.items.filter((item) => item.status === 'needs-review').length
      adaptiveSummary = `; adaptive (seed ${seed ?? core.DEFAULT_ADAPTIVE_OPTIONS.seed}, min ${chosen.minTranscriptions}, max ${chosen.maxTranscriptions}, threshold ${chosen.transcriptConfidenceThreshold}, agreement ${chosen.transcriptAgreement ? chosen.transcriptAgreementTolerance : 'off'}): read ${simulation.revealed} of ${simulation.available}, ${(simulation.revealed / Math.max(items.length, 1)).toFixed(2)} per item, ${review} would go to review, ${simulation.reopened} reopened by a re-estimate`
    } else {
      items = core.transcriptStrategy(strategyName).aggregate(transcripts, { normalize }).items
    }
    // Written next to the target, then renamed: a failed run never leaves half a file.
    const temporary = `${values.out}.tmp-${process.pid}`
    try {
      await fs.promises.writeFile(temporary, core.formatConsensusTsv(items, { judgments: values.adaptive === true }))
      await fs.promises.rename(temporary, values.out)
    } catch (error) {
      await fs.promises.rm(temporary, { force: true })
      throw new CommandError(`cannot write ${values.out}: ${(error as Error).message}`, 73)
    }
    const contributors = new Set(transcripts.map((row) => row.contributor)).size
    const meanConfidence = items.length ? items.reduce((sum, item) => sum + item.confidence, 0) / items.length : 0
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.error(
      `consensus aggregate: ${transcripts.length} transcriptions of ${items.length} items by ${contributors} contributors → ${values.out} (${strategyName}, mean confidence ${meanConfidence.toFixed(3)}${adaptiveSummary}, ${seconds} s)`,
    )

  },
}
