import * as migration_20261126_134104_initial from './20261126_134104_initial';
import * as migration_20261126_153355_audio_processing from './20261126_153355_audio_processing';
import * as migration_20261126_161854_transcriptions_of_segments from './20261126_161854_transcriptions_of_segments';
import * as migration_20261126_170121_consensus from './20261126_170121_consensus';

export const migrations = [
  {
    up: migration_20261126_134104_initial.up,
    down: migration_20261126_134104_initial.down,
    name: '20261126_134104_initial',
  },
  {
    up: migration_20261126_153355_audio_processing.up,
    down: migration_20261126_153355_audio_processing.down,
    name: '20261126_153355_audio_processing',
  },
  {
    up: migration_20261126_161854_transcriptions_of_segments.up,
    down: migration_20261126_161854_transcriptions_of_segments.down,
    name: '20261126_161854_transcriptions_of_segments',
  },
  {
    up: migration_20261126_170121_consensus.up,
    down: migration_20261126_170121_consensus.down,
    name: '20261126_170121_consensus'
  },
];
