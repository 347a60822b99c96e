import * as migration_20261126_134104_initial from './20261126_134104_initial';

export const migrations = [
  {
    up: migration_20261126_134104_initial.up,
    down: migration_20261126_134104_initial.down,
    name: '20261126_134104_initial'
  },
];
