/**
 * `search_parameters`: the seed's Live Search settings. xAI answers any chat completion request
 * that carries them with HTTP 410; grokit keeps the shape so that users can still ask for search,
 * and plans it onto the tools that replaced Live Search.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const CountryCode = Schema.String.check(
  Schema.makeFilter<string>((code) => [...code].length === 2, {
    expected: "an ISO alpha-2 country code (two characters)",
    toJsonSchema: () => ({ minLength: 2, maxLength: 2 })
  })
).annotate({ description: "ISO alpha-2 country code" })

const WebsiteList = Schema.Array(Schema.String).check(Schema.isMaxLength(5))

/** The fields web and news sources share. */
const siteSearchFields = {
  country: Schema.optionalKey(CountryCode),
  excluded_websites: Schema.optionalKey(WebsiteList),
  safe_search: Schema.optionalKey(Schema.Boolean)
}

/**
 * Search the web, optionally from one country and without up to five websites.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebSearchSource = Schema.Struct({ type: Schema.Literal("web"), ...siteSearchFields })

/**
 * Search posts on X, optionally only from some handles.
 *
 * @since 0.1.0
 * @category schemas
 */
export const XSearchSource = Schema.Struct({
  type: Schema.Literal("x"),
  x_handles: Schema.optionalKey(Schema.Array(Schema.String))
})

/**
 * Search news sites.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NewsSearchSource = Schema.Struct({ type: Schema.Literal("news"), ...siteSearchFields })

/**
 * Read RSS feeds from the given links.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RssSearchSource = Schema.Struct({
  type: Schema.Literal("rss"),
  links: Schema.Array(Schema.String)
})

/**
 * One search source, discriminated by `type`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchSource = Schema.Union([WebSearchSource, XSearchSource, NewsSearchSource, RssSearchSource])

/**
 * @since 0.1.0
 * @category models
 */
export type SearchSource = typeof SearchSource.Type

/**
 * The seed's search settings: mode, sources, date range, result limit, citations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchParameters = Schema.Struct({
  mode: Schema.optionalKey(Schema.Literals(["off", "auto", "on"]).annotate({ default: "auto" })),
  sources: Schema.optionalKey(Schema.Array(SearchSource)),
  from_date: Schema.optionalKey(Schema.String.annotate({ description: "ISO 8601 format, e.g. YYYY-MM-DD" })),
  to_date: Schema.optionalKey(Schema.String.annotate({ description: "ISO 8601 format, e.g. YYYY-MM-DD" })),
  max_search_results: Schema.optionalKey(
    Schema.Int.check(Schema.isGreaterThan(0)).annotate({ default: 20 })
  ),
  return_citations: Schema.optionalKey(Schema.Boolean)
}).annotate({ description: "Parameters for live search capabilities" })

/**
 * @since 0.1.0
 * @category models
 */
export type SearchParameters = typeof SearchParameters.Type
