export { analyze, ANALYSIS_SAMPLE_RATE, countDecodeErrors, parseLoudness, type Analysis, type AnalyzeOptions } from './analyze'
export { resolveBinaries, type Binaries } from './binaries'
export { parseProbe, probe, ProbeError, type ProbeResult } from './probe'
export { runTool, ToolTimeoutError, type RunOptions, type RunResult } from './run'
