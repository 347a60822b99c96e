/**
 * A document of a collection read by its documented fields. The host's generated types are not
 * importable from a plugin, and the fields read are checked where they are used.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>
