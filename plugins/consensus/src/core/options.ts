/** `defaults` with every override that is actually set: an explicit `undefined` keeps the default. */
export const withDefaults = <T extends object>(defaults: T, overrides: Partial<T> = {}): T => {
  const set = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined))
  return { ...defaults, ...set }
}
