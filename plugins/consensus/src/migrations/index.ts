import * as migration_20261129_144900_baseline from './20261129_144900_baseline';
import * as migration_20261129_175437_published_read_api from './20261129_175437_published_read_api';
import * as migration_20261129_211428_segment_decisions from './20261129_211428_segment_decisions';

export const migrations = [
  {
    up: migration_20261129_144900_baseline.up,
    down: migration_20261129_144900_baseline.down,
    name: '20261129_144900_baseline',
  },
  {
    up: migration_20261129_175437_published_read_api.up,
    down: migration_20261129_175437_published_read_api.down,
    name: '20261129_175437_published_read_api',
  },
  {
    up: migration_20261129_211428_segment_decisions.up,
    down: migration_20261129_211428_segment_decisions.down,
    name: '20261129_211428_segment_decisions'
  },
];
