export { ReadOnlyJson } from './ReadOnlyJson'
