// Module resolution hook: in this repository, workspace packages (`@shrutik/*`) load from their
// TypeScript sources (the `source` export condition) rather than their dist/ builds, as
// `node --conditions=source` would do. Registered by bin/shrutik.mjs.
export const resolve = (specifier, context, nextResolve) =>
  nextResolve(specifier, context.conditions.includes('source') ? context : { ...context, conditions: ['source', ...context.conditions] })
