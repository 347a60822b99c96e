export { AudioPanel } from './AudioPanel'
export { SegmentsList } from './SegmentsList'
export { ReadOnlyJson } from './ReadOnlyJson'
