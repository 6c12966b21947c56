/**
 * `RssAdapter`: the local adapter for the seed's `rss` source. It fetches each feed link
 * through `GuardedFetch`, parses it with the hardened `FeedParser` (RSS 2.0, RSS 1.0, Atom), and
 * returns the entries in the query's date range, newest first, at most `maxResults`. It reads
 * whole feeds: the query text is not used to filter.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { GuardedFetch, RssAdapter } from "@grokit/search"
 *
 * const program = Effect.gen(function*() {
 *   const adapter = yield* RssAdapter.make({ feeds: ["https://example.com/feed.xml"] })
 *   return yield* adapter.search({ text: "", maxResults: 10, fromDate: new Date("2026-01-01") })
 * }).pipe(Effect.provide(GuardedFetch.layer()))
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { charsetOf, type Feed, FeedParseError, type FeedParserOptions, parse } from "./FeedParser.ts"
import { type FetchOptions, GuardedFetch, type GuardedFetchError, type GuardedFetchService } from "./GuardedFetch.ts"
import {
  forSource,
  make as makeAdapter,
  type SearchAdapter,
  SearchError,
  type SearchQuery,
  type SearchResult,
  selectResults,
  type SourceFailure
} from "./SearchAdapter.ts"

/**
 * The `Accept` header sent for feeds.
 *
 * @since 0.1.0
 * @category defaults
 */
export const FEED_ACCEPT =
  "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"

/**
 * Settings of a feed adapter.
 *
 * @since 0.1.0
 * @category models
 */
export interface FeedAdapterOptions {
  /** The feed URLs. */
  readonly feeds: ReadonlyArray<string>
  /** The adapter's name (in citations and errors). Default `"rss"`. */
  readonly name?: string | undefined
  /** Feeds fetched at once. Default 4. */
  readonly concurrency?: number | undefined
  /** Parser limits (the base URL and charset are set per feed). */
  readonly parser?: Omit<FeedParserOptions, "baseUrl" | "charset"> | undefined
  /** Fetch limits per feed (e.g. `maxBytes`, `timeout`). */
  readonly fetch?: Omit<FetchOptions, "accept"> | undefined
}

/**
 * Fetches and parses one feed.
 *
 * @since 0.1.0
 * @category reading
 */
export const readFeed = (
  fetcher: GuardedFetchService,
  url: string,
  options: Pick<FeedAdapterOptions, "parser" | "fetch"> = {}
): Effect.Effect<Feed, GuardedFetchError | FeedParseError> =>
  fetcher.fetch(url, { ...options.fetch, accept: FEED_ACCEPT }).pipe(
    Effect.flatMap((response) =>
      parse(response.body, {
        ...options.parser,
        baseUrl: response.url,
        charset: charsetOf(response.contentType)
      })
    )
  )

/**
 * A feed's entries as search results (entries without a link point at the feed's link or URL).
 *
 * @since 0.1.0
 * @category reading
 */
export const feedResults = (feedUrl: string, feed: Feed): ReadonlyArray<SearchResult> =>
  feed.entries.map((entry) => ({
    title: entry.title === "" ? "(untitled)" : entry.title,
    url: entry.url ?? feed.link ?? feedUrl,
    published: entry.published,
    snippet: entry.summary,
    source: feedUrl
  }))

/**
 * Reads every feed (concurrently), collecting results and per-feed failures; fails only when
 * every feed failed. Results are deduplicated by URL, in feed order.
 *
 * @since 0.1.0
 * @category reading
 */
export const readFeeds = (
  fetcher: GuardedFetchService,
  options: FeedAdapterOptions
): Effect.Effect<
  { readonly results: ReadonlyArray<SearchResult>; readonly failures: ReadonlyArray<SourceFailure> },
  SearchError
> => {
  const name = options.name ?? "rss"
  if (options.feeds.length === 0) {
    return Effect.fail(new SearchError({ adapter: name, description: "no feeds are configured", failures: [] }))
  }
  return Effect.forEach(
    options.feeds,
    (feedUrl) => Effect.result(readFeed(fetcher, feedUrl, options)).pipe(Effect.map((result) => ({ feedUrl, result }))),
    { concurrency: options.concurrency ?? 4 }
  ).pipe(
    Effect.flatMap((outcomes) => {
      const failures: Array<SourceFailure> = []
      const results: Array<SearchResult> = []
      const seen = new Set<string>()
      for (const { feedUrl, result } of outcomes) {
        if (result._tag === "Failure") {
          failures.push({ source: feedUrl, error: result.failure })
          continue
        }
        for (const item of feedResults(feedUrl, result.success)) {
          if (seen.has(item.url) && item.url !== feedUrl) continue
          seen.add(item.url)
          results.push(item)
        }
      }
      if (failures.length === outcomes.length) {
        return Effect.fail(
          new SearchError({
            adapter: name,
            description: `every feed failed: ${failures.map(describeFailure).join("; ")}`,
            failures
          })
        )
      }
      const warn = failures.length === 0
        ? Effect.void
        : Effect.logWarning(`${name}: some feeds failed: ${failures.map(describeFailure).join("; ")}`)
      return Effect.as(warn, { results, failures })
    })
  )
}

/**
 * One line for a failed feed.
 *
 * @since 0.1.0
 * @category reading
 */
export const describeFailure = (failure: SourceFailure): string =>
  failure.error instanceof FeedParseError ? `${failure.source}: ${failure.error.message}` : failure.error.message

/**
 * An RSS adapter over a fetcher: all entries of all feeds, in the date range, newest first, at
 * most `maxResults`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (fetcher: GuardedFetchService, options: FeedAdapterOptions): SearchAdapter =>
  makeAdapter(
    options.name ?? "rss",
    (query: SearchQuery) => readFeeds(fetcher, options).pipe(Effect.map(({ results }) => selectResults(results, query)))
  )

/**
 * An RSS adapter using the `GuardedFetch` service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: FeedAdapterOptions): Effect.Effect<SearchAdapter, never, GuardedFetch> =>
  GuardedFetch.useSync((fetcher) => makeWith(fetcher, options))

/**
 * Provides an RSS adapter over `options.feeds` as the adapter of the `rss` source.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: FeedAdapterOptions): Layer.Layer<SearchAdapter, never, GuardedFetch> =>
  Layer.effect(forSource("rss"), make(options))
