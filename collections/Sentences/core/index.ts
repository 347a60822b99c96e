export * from './normalize'
export * from './rules'
