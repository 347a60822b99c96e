import * as migration_20261129_144912_baseline from './20261129_144912_baseline';

export const migrations = [
  {
    up: migration_20261129_144912_baseline.up,
    down: migration_20261129_144912_baseline.down,
    name: '20261129_144912_baseline'
  },
];
