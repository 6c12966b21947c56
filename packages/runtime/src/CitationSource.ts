/**
 * A source an answer cites, with what is known of it: its URL, and where known its title, its
 * date and where the citation came from. A run collects them from both search paths: the
 * `url_citation` annotations of xAI's server-side searches (`web_search`, `x_search`) and the
 * entries that local search tools (RSS and news adapters) returned.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Where a citation came from: `"web_search"` or `"x_search"` (an annotation of xAI's answer; a
 * post on x.com counts as `x_search`), or `"tool"` (an entry a local tool returned; `tool` names
 * it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CitationOrigin = Schema.Literals(["web_search", "x_search", "tool"])

/**
 * @since 0.1.0
 * @category models
 */
export type CitationOrigin = typeof CitationOrigin.Type

/**
 * One cited source.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CitationSource = Schema.Struct({
  url: Schema.String,
  title: Schema.optionalKey(Schema.String),
  /** When the source was published, as ISO 8601 text, when known. */
  date: Schema.optionalKey(Schema.String),
  origin: CitationOrigin,
  /** The local tool that returned it (origin `"tool"`). */
  tool: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type CitationSource = typeof CitationSource.Type

/**
 * The origin of a server-side citation, from its URL: posts on X are `x_search`, the rest
 * `web_search`.
 *
 * @example
 * ```ts
 * serverOrigin("https://x.com/xai/status/1") // => "x_search"
 * serverOrigin("https://x.ai/company") // => "web_search"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverOrigin = (url: string): "web_search" | "x_search" => {
  try {
    const host = new URL(url).hostname.toLowerCase()
    return host === "x.com" || host.endsWith(".x.com") || host === "twitter.com" || host.endsWith(".twitter.com")
      ? "x_search"
      : "web_search"
  } catch {
    return "web_search"
  }
}
