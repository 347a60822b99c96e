import { AsyncLocalStorage } from 'node:async_hooks'

import { sql } from '@payloadcms/db-postgres'
import type { BaseDatabaseAdapter, DatabaseAdapterObj, PaginatedDocs } from 'payload'

/**
 * Estimated counts for long lists. A paginated `find` (the admin list, `GET /api/<collection>`)
 * asks PostgreSQL for an exact `count(*)` of everything the query matches; over a million
 * sentences a search for a common word matches hundreds of thousands of rows, and counting them
 * costs more than finding the ten shown. For the collections named here the count is first
 * estimated from the query plan (`EXPLAIN`, from the table's statistics — no rows read): when the
 * estimate is at least `minRows`, it is the answer and the result says so with
 * `totalDocsEstimated: true` (the admin list then says "about N"); below that, the count is exact,
 * as before. Counts through `payload.count()` stay exact. Paging never trusts the estimate: a full
 * page has a next one and a short page is the last, so loops over every page see every row.
 */
export interface EstimatedCountOptions {
  /** Collections whose paginated lists may give an estimated count. */
  collections: string[]
  /**
   * Estimates at or above this are returned as they are; below it the rows are counted.
   * @default 1000
   */
  minRows?: number
}

/** What a paginated find returns when its count was estimated. */
export type MaybeEstimated<T> = PaginatedDocs<T> & { totalDocsEstimated?: true }

interface FindScope {
  estimated?: number
}

const findScope = new AsyncLocalStorage<FindScope>()

type SQL = ReturnType<typeof sql>
/** The adapter's count (`@payloadcms/drizzle`'s `CountDistinct`), as far as this module uses it. */
type CountDistinct = (args: { column?: unknown; db: unknown; joins: unknown[]; tableName: string; where: SQL }) => Promise<number>

type Executor = { execute: (query: SQL) => Promise<{ rows: Record<string, unknown>[] }> }
type Selectable = {
  select: (fields: Record<string, SQL>) => { from: (table: unknown) => { where: (where: SQL | undefined) => { getSQL: () => SQL } } }
}

/** The planner's row estimate for `SELECT … FROM table WHERE where`, or undefined when it cannot say. */
export const plannedRows = async (db: unknown, table: unknown, where: SQL | undefined): Promise<number | undefined> => {
  const query = (db as Selectable).select({ one: sql`1` }).from(table).where(where).getSQL()
  const { rows } = await (db as Executor).execute(sql`EXPLAIN (FORMAT JSON) ${query}`)
  const plan = (rows[0]?.['QUERY PLAN'] as { Plan?: { 'Plan Rows'?: number } }[] | undefined)?.[0]?.Plan
  const estimate = Number(plan?.['Plan Rows'])
  return Number.isFinite(estimate) ? Math.round(estimate) : undefined
}

type AdapterWithCounts = BaseDatabaseAdapter & { countDistinct: CountDistinct; tables: Record<string, unknown> }

/** Wraps a Postgres adapter (`postgresAdapter({...})`) so that long lists of the given collections get estimated counts. */
export const withEstimatedCounts = (adapterObj: DatabaseAdapterObj, { collections, minRows = 1000 }: EstimatedCountOptions): DatabaseAdapterObj => ({
  ...adapterObj,
  init: (args) => {
    const adapter = adapterObj.init(args) as AdapterWithCounts
    const exactCount = adapter.countDistinct
    const find = adapter.find

    adapter.countDistinct = async function countDistinct(this: AdapterWithCounts, countArgs) {
      const scope = findScope.getStore()
      // Joined queries count distinct ids, which a plan's row estimate does not: count those exactly.
      if (scope && countArgs.joins.length === 0 && !countArgs.column) {
        const estimate = await plannedRows(countArgs.db, this.tables[countArgs.tableName], countArgs.where)
        if (estimate !== undefined && estimate >= minRows) {
          scope.estimated = estimate
          return estimate
        }
      }
      return exactCount.call(this, countArgs)
    }

    adapter.find = async function estimatedFind<T>(this: AdapterWithCounts, findArgs: Parameters<typeof find>[0]): Promise<MaybeEstimated<T>> {
      if (!collections.includes(findArgs.collection) || findArgs.pagination === false) return find.call<AdapterWithCounts, [typeof findArgs], Promise<PaginatedDocs<T>>>(this, findArgs)
      const scope: FindScope = {}
      const result = await findScope.run(scope, () => find.call<AdapterWithCounts, [typeof findArgs], Promise<PaginatedDocs<T>>>(this, findArgs))
      if (scope.estimated === undefined) return result
      // Paging must not trust an estimate: a full page has a next one, a short page is the last
      // (so a loop over every page sees every row whichever way the estimate errs).
      const page = Number(result.page ?? findArgs.page ?? 1)
      const limit = Number(findArgs.limit ?? result.limit)
      const full = limit > 0 && result.docs.length === limit
      const seen = (page - 1) * limit + result.docs.length
      if (!full) return { ...result, totalDocs: seen, totalPages: page, hasNextPage: false, nextPage: null }
      const totalDocs = Math.max(scope.estimated, seen + 1)
      return { ...result, totalDocs, totalPages: Math.max(Math.ceil(totalDocs / limit), page + 1), hasNextPage: true, nextPage: page + 1, totalDocsEstimated: true }
    }

    return adapter
  },
})
