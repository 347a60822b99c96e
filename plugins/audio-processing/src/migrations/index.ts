import * as migration_20261129_144847_baseline from './20261129_144847_baseline';
import * as migration_20261129_175158_published_read_api from './20261129_175158_published_read_api';

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
];
