export * from './checks'
export * from './segment'
