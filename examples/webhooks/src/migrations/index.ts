import * as migration_20261129_145750_baseline from './20261129_145750_baseline';

export const migrations = [
  {
    up: migration_20261129_145750_baseline.up,
    down: migration_20261129_145750_baseline.down,
    name: '20261129_145750_baseline'
  },
];
