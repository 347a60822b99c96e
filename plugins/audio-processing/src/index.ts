export * from './core'
export { inspectFile, type InspectResult } from './inspect'
