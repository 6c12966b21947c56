/**
 * `NewsAdapter`: the local adapter for the seed's `news` source, over news feeds the user
 * configures (same machinery as `RssAdapter`: `GuardedFetch` and the hardened parser). Unlike the
 * RSS adapter it searches: entries must contain at least one term of the query, ranked by how
 * many terms they contain, then newest first. `excludedDomains` drops entries by link host.
 *
 * To use another news backend instead, provide any `SearchAdapter` for the source:
 * `SearchAdapter.layer("news", myBackend)`.
 *
 * @example
 * ```ts
 * import { GuardedFetch, NewsAdapter } from "@grokit/search"
 * import { Layer } from "effect"
 *
 * const News = NewsAdapter.layer({
 *   feeds: ["https://feeds.bbci.co.uk/news/rss.xml", "https://www.theguardian.com/world/rss"]
 * }).pipe(Layer.provide(GuardedFetch.layer()))
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { GuardedFetch, type GuardedFetchService } from "./GuardedFetch.ts"
import { type FeedAdapterOptions, readFeeds } from "./RssAdapter.ts"
import {
  forSource,
  make as makeAdapter,
  type SearchAdapter,
  type SearchQuery,
  type SearchResult,
  selectResults
} from "./SearchAdapter.ts"

const STOP_WORDS = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "for",
  "from",
  "in",
  "is",
  "it",
  "of",
  "on",
  "or",
  "the",
  "to",
  "what",
  "with",
  "news",
  "latest"
])

/**
 * The search terms of a query: lower-case words of two characters or more, without stop words.
 *
 * @since 0.1.0
 * @category matching
 */
export const queryTerms = (text: string): ReadonlyArray<string> =>
  Array.from(
    new Set(
      text.slice(0, 1000).normalize("NFKC").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((term) =>
        term.length >= 2 && !STOP_WORDS.has(term)
      )
    )
  ).slice(0, 32)

/**
 * How many distinct terms a result contains (in its title or snippet).
 *
 * @since 0.1.0
 * @category matching
 */
export const score = (result: SearchResult, terms: ReadonlyArray<string>): number => {
  const haystack = `${result.title} ${result.snippet}`.normalize("NFKC").toLowerCase()
  return terms.reduce((n, term) => (haystack.includes(term) ? n + 1 : n), 0)
}

/**
 * Ranks results for a query: in range and not excluded (as `selectResults`), containing at least
 * one term (all when the query has no terms), most terms first, then newest; at most
 * `maxResults`.
 *
 * @since 0.1.0
 * @category matching
 */
export const rank = (results: ReadonlyArray<SearchResult>, query: SearchQuery): ReadonlyArray<SearchResult> => {
  const terms = queryTerms(query.text)
  const candidates = selectResults(results, { ...query, maxResults: Number.MAX_SAFE_INTEGER })
  if (terms.length === 0) return candidates.slice(0, Math.max(0, Math.floor(query.maxResults)))
  return candidates
    .map((result, index) => ({ result, index, score: score(result, terms) }))
    .filter((item) => item.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((item) => item.result)
    .slice(0, Math.max(0, Math.floor(query.maxResults)))
}

/**
 * A news adapter over a fetcher and configured news feeds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (fetcher: GuardedFetchService, options: FeedAdapterOptions): SearchAdapter => {
  const settings = { ...options, name: options.name ?? "news" }
  return makeAdapter(
    settings.name,
    (query) => readFeeds(fetcher, settings).pipe(Effect.map(({ results }) => rank(results, query)))
  )
}

/**
 * A news adapter using the `GuardedFetch` service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: FeedAdapterOptions): Effect.Effect<SearchAdapter, never, GuardedFetch> =>
  GuardedFetch.useSync((fetcher) => makeWith(fetcher, options))

/**
 * Provides a news adapter over `options.feeds` as the adapter of the `news` source.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: FeedAdapterOptions): Layer.Layer<SearchAdapter, never, GuardedFetch> =>
  Layer.effect(forSource("news"), make(options))
