export { AudioPanel } from './AudioPanel'
export { SegmentsList } from './SegmentsList'
