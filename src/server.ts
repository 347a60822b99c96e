/** Entry point of the production server (`npm start` builds if needed, then runs this). */
import { logger } from './lib/logger'
import { startProcess } from './server/start'

startProcess().catch((error: Error) => {
  logger.error('Shrutik failed to start', { error: error.message, stack: error.stack })
  process.exit(1)
})
