export { ExportProgress } from './ExportProgress'
