import * as migration_20261129_144847_baseline from './20261129_144847_baseline';
import * as migration_20261129_175158_published_read_api from './20261129_175158_published_read_api';
import * as migration_20261129_213800_transcriptions_of_segments from './20261129_213800_transcriptions_of_segments';

export const migrations = [
  {
    up: migration_20261129_144847_baseline.up,
    down: migration_20261129_144847_baseline.down,
    name: '20261129_144847_baseline',
  },
  {
    up: migration_20261129_175158_published_read_api.up,
    down: migration_20261129_175158_published_read_api.down,
    name: '20261129_175158_published_read_api'
  },
  {
    up: migration_20261129_213800_transcriptions_of_segments.up,
    down: migration_20261129_213800_transcriptions_of_segments.down,
    name: '20261129_213800_transcriptions_of_segments',
  },
];
