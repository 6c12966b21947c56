/**
 * `SearchTool`: exposes a `SearchAdapter` to an agent as an effect/ai `Tool` (e.g. `read_feeds`
 * or `search_news` with one parameter, `query`). Its handler searches, formats the results and
 * wraps them with `UntrustedContent.wrap`, and returns `{ content, citations, boundary }`:
 *
 * - `content` is the only thing the model sees: the tool's success schema ENCODES to this string
 *   (and `toModelOutput` returns it as the text part), so feed titles, links and summaries reach
 *   the model only inside the untrusted block, never as free JSON fields;
 * - `citations` (`url`, `title`, `published`, `source`) are for the application: the decoded
 *   result of the tool call, and `onCitations` if given.
 *
 * The date range, result cap and excluded domains are fixed by the caller (the search planner),
 * not chosen by the model. Failures come back to the model as a `SearchToolFailure` tool result
 * (`failureMode: "return"`), so a dead feed does not end the run.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { GuardedFetch, RssAdapter, SearchTool } from "@grokit/search"
 *
 * const program = Effect.gen(function*() {
 *   const adapter = yield* RssAdapter.make({ feeds: ["https://example.com/feed.xml"] })
 *   const feeds = SearchTool.make({ name: "read_feeds", adapter, maxResults: 10 })
 *   // feeds.toolkit + feeds.layer go to Agent.make({ toolkit }) / Effect.provide
 *   return yield* feeds.handler({ query: "" })
 * }).pipe(Effect.provide(GuardedFetch.layer()))
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Layer, Schema, SchemaGetter } from "effect"
import { Prompt, Tool, Toolkit } from "effect/ai"
import { describeFailure } from "./RssAdapter.ts"
import type { SearchAdapter, SearchError, SearchQuery, SearchResult } from "./SearchAdapter.ts"
import { DEFAULT_MAX_CONTENT_BYTES, wrap } from "./UntrustedContent.ts"

/**
 * A citation for one result given to the model.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Citation = Schema.Struct({
  url: Schema.String,
  title: Schema.String,
  /** ISO 8601 date-time, when the source gives one. */
  published: Schema.optionalKey(Schema.String),
  /** The adapter's name and the feed (or backend) it came from. */
  source: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type Citation = typeof Citation.Type

/**
 * What the handler returns: the wrapped content for the model, the citations for the
 * application, the boundary token of the block.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchToolOutput = Schema.Struct({
  content: Schema.String,
  citations: Schema.Array(Citation),
  boundary: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type SearchToolOutput = typeof SearchToolOutput.Type

/**
 * The tool's success schema: a `SearchToolOutput` that encodes to its `content` string (what the
 * model reads). Decoding a string gives that content with no citations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchToolSuccess = Schema.String.pipe(
  Schema.decodeTo(SearchToolOutput, {
    decode: SchemaGetter.transform((content: string) => ({ content, citations: [], boundary: "" })),
    encode: SchemaGetter.transform((output: typeof SearchToolOutput.Encoded) => output.content)
  })
)

/**
 * The failure the model reads when a search fails (every source failed, or the adapter failed).
 *
 * @since 0.1.0
 * @category errors
 */
export class SearchToolFailure extends Schema.TaggedError<SearchToolFailure>()("SearchToolFailure", {
  message: Schema.String
}) {}

/**
 * The tool's parameters: one `query` string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchToolParameters = Schema.Struct({
  query: Schema.String.annotate({
    description: "What to look for (keywords). Use an empty string to list the newest entries."
  })
})

/**
 * Settings of a search tool.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchToolOptions<Name extends string> {
  /** The tool name the model calls (1-64 letters, digits, `_` or `-`). */
  readonly name: Name
  readonly description?: string | undefined
  readonly adapter: SearchAdapter
  readonly fromDate?: Date | undefined
  readonly toDate?: Date | undefined
  /** Results given to the model at most. Default 10. */
  readonly maxResults?: number | undefined
  readonly excludedDomains?: ReadonlyArray<string> | undefined
  /** Content cap inside the untrusted block, in UTF-8 bytes. Default 24 KiB. */
  readonly maxContentBytes?: number | undefined
  /** Called with the citations of every successful call (e.g. to collect them for a run result). */
  readonly onCitations?: ((citations: ReadonlyArray<Citation>) => Effect.Effect<void>) | undefined
}

/**
 * The effect/ai tool type made by `make`.
 *
 * @since 0.1.0
 * @category models
 */
export type SearchTool<Name extends string> = Tool.Tool<Name, {
  readonly parameters: typeof SearchToolParameters
  readonly success: typeof SearchToolSuccess
  readonly failure: typeof SearchToolFailure
  readonly failureMode: "return"
}>

/**
 * Formats results as the text that goes inside the untrusted block, entries numbered like the
 * citations, stopping before `maxBytes` (the omitted count is said).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatResults = (
  results: ReadonlyArray<SearchResult>,
  maxBytes: number = DEFAULT_MAX_CONTENT_BYTES
): { readonly text: string; readonly included: ReadonlyArray<SearchResult> } => {
  if (results.length === 0) return { text: "No results matched.", included: [] }
  const encoder = new TextEncoder()
  const blocks: Array<string> = []
  const included: Array<SearchResult> = []
  let size = 0
  for (const result of results) {
    const lines = [`[${included.length + 1}] ${result.title}`, `URL: ${result.url}`]
    if (result.published !== undefined) lines.push(`Published: ${result.published.toISOString()}`)
    if (result.snippet !== "") lines.push(`Summary: ${result.snippet}`)
    const block = lines.join("\n")
    const bytes = encoder.encode(block).length + 2
    if (size + bytes > maxBytes - 200 && included.length > 0) break
    blocks.push(block)
    included.push(result)
    size += bytes
  }
  const omitted = results.length - included.length
  const header = `${included.length} result${included.length === 1 ? "" : "s"}, newest first` +
    (omitted > 0 ? ` (${omitted} more omitted for size)` : "") + ":"
  return { text: [header, ...blocks].join("\n\n"), included }
}

/**
 * Citations for results.
 *
 * @since 0.1.0
 * @category formatting
 */
export const citationsOf = (adapter: string, results: ReadonlyArray<SearchResult>): ReadonlyArray<Citation> =>
  results.map((result) => ({
    url: result.url,
    title: result.title,
    ...(result.published === undefined ? {} : { published: result.published.toISOString() }),
    source: result.source === adapter ? adapter : `${adapter}: ${result.source}`
  }))

/**
 * Runs a search and wraps the results for the model, without a Tool: the planner can call this
 * directly (e.g. to search before the first model call when `mode` is `"on"`).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  adapter: SearchAdapter,
  query: SearchQuery,
  options: { readonly maxContentBytes?: number | undefined } = {}
): Effect.Effect<SearchToolOutput, SearchError> =>
  adapter.search(query).pipe(
    Effect.map((results) => {
      const maxBytes = options.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES
      const formatted = formatResults(results, maxBytes)
      const sources = Array.from(new Set(formatted.included.map((result) => result.source)))
      const block = wrap(formatted.text, {
        source: sources.length === 0 ? adapter.name : sources,
        kind: `search results from ${adapter.name}`,
        maxContentBytes: maxBytes
      })
      return { content: block.text, citations: citationsOf(adapter.name, formatted.included), boundary: block.boundary }
    })
  )

/**
 * A failure message for the model: the error, plus each failed source.
 *
 * @since 0.1.0
 * @category running
 */
export const failureMessage = (error: SearchError): string =>
  error.failures.length === 0 || error.message.includes(describeFailure(error.failures[0]!))
    ? error.message
    : `${error.message} (${error.failures.map(describeFailure).join("; ")})`

/**
 * Builds the tool, its handler, a toolkit with it and the toolkit's handler layer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const Name extends string>(options: SearchToolOptions<Name>): {
  readonly tool: SearchTool<Name>
  readonly handler: (params: { readonly query: string }) => Effect.Effect<SearchToolOutput, SearchToolFailure>
  readonly toolkit: Toolkit.Toolkit<{ readonly [K in Name]: SearchTool<Name> }>
  readonly layer: Layer.Layer<Tool.Handler<Name>>
} => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.name)) {
    throw new Error(`tool name ${JSON.stringify(options.name)} must be 1-64 letters, digits, _ or -`)
  }
  const tool = Tool.make(options.name, {
    description: options.description ??
      `Search ${options.adapter.name} and return matching entries (title, URL, date, summary) as untrusted data.`,
    parameters: SearchToolParameters,
    success: SearchToolSuccess,
    failure: SearchToolFailure,
    failureMode: "return",
    toModelOutput: (output: SearchToolOutput) => [Prompt.makePart("text", { text: output.content })]
  }) as unknown as SearchTool<Name>
  const handler = (params: { readonly query: string }): Effect.Effect<SearchToolOutput, SearchToolFailure> =>
    run(options.adapter, {
      text: params.query.slice(0, 1000),
      fromDate: options.fromDate,
      toDate: options.toDate,
      maxResults: options.maxResults ?? 10,
      excludedDomains: options.excludedDomains
    }, { maxContentBytes: options.maxContentBytes }).pipe(
      Effect.tap((output) => options.onCitations === undefined ? Effect.void : options.onCitations(output.citations)),
      Effect.mapError((error) => new SearchToolFailure({ message: failureMessage(error) }))
    )
  const toolkit = Toolkit.make(tool) as unknown as Toolkit.Toolkit<{ readonly [K in Name]: SearchTool<Name> }>
  const layer = (toolkit as any).toLayer({ [options.name]: handler }) as Layer.Layer<Tool.Handler<Name>>
  return { tool, handler, toolkit, layer }
}
