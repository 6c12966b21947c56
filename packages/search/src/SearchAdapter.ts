/**
 * `SearchAdapter`: the interface every local search source implements (RSS feeds, news feeds,
 * a self-hosted search engine...), and the services under which adapters are provided for each
 * seed source (`rss`, `news`, `web`, `x`, or any custom name). A user plugs in an adapter for a
 * source as a Layer:
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SearchAdapter } from "@grokit/search"
 *
 * // a self-hosted engine for the "web" source
 * const MyWeb = SearchAdapter.layer("web", SearchAdapter.make("searxng", (query) =>
 *   Effect.succeed([{ title: "Result", url: "https://example.com/", snippet: query.text, source: "searxng" }])
 * ))
 * ```
 *
 * @since 0.1.0
 */
import { Context, Data, type Effect, Layer } from "effect"
import type { FeedParseError } from "./FeedParser.ts"
import type { GuardedFetchError } from "./GuardedFetch.ts"

/**
 * What to search for.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchQuery {
  /** The query text (adapters that read whole feeds may ignore it). */
  readonly text: string
  /** Inclusive lower bound on the publication time. */
  readonly fromDate?: Date | undefined
  /** Inclusive upper bound on the publication time. */
  readonly toDate?: Date | undefined
  /** Results returned at most. */
  readonly maxResults: number
  /** Domains whose results are dropped (`example.com` also drops `www.example.com`). */
  readonly excludedDomains?: ReadonlyArray<string> | undefined
}

/**
 * One result. `title` and `snippet` are untrusted text (sanitized, but still data from the
 * source); wrap them with `UntrustedContent.wrap` before a model reads them.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchResult {
  readonly title: string
  readonly url: string
  readonly published?: Date | undefined
  readonly snippet: string
  /** Where the result came from (a feed URL, or the adapter's name). */
  readonly source: string
}

/**
 * One source of an adapter that failed while others answered.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceFailure {
  readonly source: string
  readonly error: GuardedFetchError | FeedParseError
}

/**
 * A search failed: every source failed (`failures` says why), or a custom adapter failed
 * (`cause`).
 *
 * @since 0.1.0
 * @category errors
 */
export class SearchError extends Data.TaggedError("SearchError")<{
  readonly adapter: string
  readonly description: string
  readonly failures: ReadonlyArray<SourceFailure>
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.adapter}: ${this.description}`
  }
}

/**
 * A search source.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchAdapter {
  /** A short name, used in citations and errors. */
  readonly name: string
  /** Results in the date range, best (for feeds: newest) first, at most `maxResults`. */
  readonly search: (query: SearchQuery) => Effect.Effect<ReadonlyArray<SearchResult>, SearchError>
}

/**
 * Builds an adapter from a name and a search function.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  name: string,
  search: (query: SearchQuery) => Effect.Effect<ReadonlyArray<SearchResult>, SearchError>
): SearchAdapter => ({ name, search })

/**
 * A seed source name, or any custom one.
 *
 * @since 0.1.0
 * @category models
 */
export type SourceName = "web" | "x" | "news" | "rss" | (string & {})

/**
 * The service type under which the adapter for one source is provided.
 *
 * @since 0.1.0
 * @category models
 */
export type AdapterService = Context.Service<SearchAdapter, SearchAdapter>

const services = new Map<string, AdapterService>()

/**
 * The service key of the adapter for `source` (the same key for the same name). The planner
 * looks it up with `Effect.serviceOption(SearchAdapter.forSource("web"))`: present means a local
 * adapter replaces or serves that source.
 *
 * @since 0.1.0
 * @category services
 */
export const forSource = (source: SourceName): AdapterService => {
  const existing = services.get(source)
  if (existing !== undefined) return existing
  const service = Context.Service<SearchAdapter>(`@grokit/search/SearchAdapter/${source}`)
  services.set(source, service)
  return service
}

/**
 * Provides `adapter` for `source`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (source: SourceName, adapter: SearchAdapter): Layer.Layer<SearchAdapter> =>
  Layer.succeed(forSource(source), adapter)

/**
 * Whether a URL's host is one of `domains` or a subdomain of one.
 *
 * @since 0.1.0
 * @category filtering
 */
export const hostMatches = (url: string, domains: ReadonlyArray<string>): boolean => {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, "")
  } catch {
    return false
  }
  return domains.some((raw) => {
    const domain = raw.trim().toLowerCase().replace(/^\*\./, "").replace(/^https?:\/\//, "").replace(/\/.*$/, "")
      .replace(/\.$/, "")
    return domain !== "" && (host === domain || host.endsWith(`.${domain}`))
  })
}

/**
 * Keeps results in the query's date range (undated results are dropped when a range is set),
 * outside its excluded domains, newest first (undated last), at most `maxResults`.
 *
 * @since 0.1.0
 * @category filtering
 */
export const selectResults = (
  results: ReadonlyArray<SearchResult>,
  query: SearchQuery
): ReadonlyArray<SearchResult> => {
  const from = query.fromDate?.getTime()
  const to = query.toDate?.getTime()
  const ranged = from !== undefined || to !== undefined
  const excluded = query.excludedDomains ?? []
  const kept = results.filter((result) => {
    if (excluded.length > 0 && hostMatches(result.url, excluded)) return false
    if (!ranged) return true
    const time = result.published?.getTime()
    if (time === undefined || Number.isNaN(time)) return false
    return (from === undefined || time >= from) && (to === undefined || time <= to)
  })
  const sorted = kept
    .map((result, index) => ({ result, index }))
    .sort((a, b) => {
      const ta = a.result.published?.getTime() ?? Number.NEGATIVE_INFINITY
      const tb = b.result.published?.getTime() ?? Number.NEGATIVE_INFINITY
      return tb === ta ? a.index - b.index : tb > ta ? 1 : -1
    })
    .map(({ result }) => result)
  return sorted.slice(0, Math.max(0, Math.floor(query.maxResults)))
}

/**
 * Converts the seed's `from_date`/`to_date` (`YYYY-MM-DD`, or any ISO 8601 date-time) to an
 * inclusive range: a bare `from_date` starts at 00:00:00.000Z, a bare `to_date` ends at
 * 23:59:59.999Z. Returns `undefined` for a missing or invalid value.
 *
 * @since 0.1.0
 * @category dates
 */
export const dateBound = (value: string | undefined, edge: "start" | "end"): Date | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const date = new Date(`${text}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`)
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? undefined : date
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? undefined : date
}
