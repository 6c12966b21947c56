/**
 * `SearchCompletion`: `create_chat_completion` with the seed's `search_parameters`. xAI removed
 * Live Search (chat completions that carry `search_parameters` get HTTP 410), so a call with
 * `search_parameters` (mode `"auto"` or `"on"`) is planned and run by `@grokit/search`:
 *
 * - the plan: `SearchPlan.fromSearchParameters` (web -> the server-side `web_search` tool, x ->
 *   `x_search`, rss -> the RSS adapter over the source's links, news -> the news adapter when the
 *   server has one, else `web_search` with a typed warning; every setting that cannot be honoured
 *   as asked gives a warning);
 * - the run: `SearchAgent.run` (or `SearchAgent.stream` with `stream: true`) on xAI's Responses
 *   API, with an agent made from the input: the model; the leading system messages as its
 *   instructions and the other messages as the conversation; `temperature`, `top_p`, `max_tokens`
 *   (as `max_output_tokens`), `user` and `response_format`. What the Responses path cannot take
 *   (`frequency_penalty`, `presence_penalty`, `logit_bias`, `seed`, `stop`, `n` above 1, `tools`,
 *   a forcing `tool_choice`, `name` on a message, images outside user messages) is refused with
 *   an issue naming the field, never dropped;
 * - feeds are read through one `GuardedFetch` (http and https only, no loopback, private,
 *   link-local or reserved address, limits on size, time and redirects); its options (e.g. an
 *   `allow` list for tests and intranets) are the server's, never the MCP client's. A feed link
 *   the guard refuses outright is an issue naming the link; a feed that fails while the search
 *   runs (a host that resolves to a private address, a timeout, an HTTP error) is a warning.
 *
 * `mode: "off"` is not run here: the request goes to chat completions without
 * `search_parameters`, and `offWarnings` says so.
 *
 * @since 0.1.0
 */
import {
  type ChatCompletionRequest,
  type ChatMessage,
  type CreateChatCompletionInput,
  GrokError,
  type GrokResponses,
  type MessageContent,
  type SearchParameters,
  ValidationIssue
} from "@grokit/core"
import {
  Agent,
  type AgentError,
  type AgentEventType,
  type AgentResult,
  type CitationSource,
  RunUsage
} from "@grokit/runtime"
import { GuardedFetch, NewsAdapter, type RssAdapter, SearchAdapter, SearchAgent, SearchPlan } from "@grokit/search"
import { Cause, Effect, Layer, Stream } from "effect"
import { McpSchema } from "effect/ai"

/**
 * The search settings of the server (not of the MCP client: clients only send
 * `search_parameters`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchOptions {
  /**
   * Settings of the guarded fetcher that reads feeds. `allow` lets hosts, addresses or CIDR
   * ranges through even if loopback or private (e.g. `["127.0.0.1"]` for a test feed server, or an
   * intranet range); by default no such address is fetched.
   */
  readonly fetch?: GuardedFetch.GuardedFetchOptions | undefined
  /**
   * What serves the `news` source: news feeds (read by `NewsAdapter` through the guarded
   * fetcher) or any `SearchAdapter`. Default none: `news` is served by `web_search`, with a
   * `NewsFilteringUnavailable` warning.
   */
  readonly news?: RssAdapter.FeedAdapterOptions | SearchAdapter.SearchAdapter | undefined
  /** Most model calls of one search run (then one last answer without tools). Default 10. */
  readonly maxSteps?: number | undefined
}

/**
 * The search machinery of a server, built once from its `SearchOptions`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Searcher {
  readonly fetcher: GuardedFetch.GuardedFetchService
  readonly news: RssAdapter.FeedAdapterOptions | SearchAdapter.SearchAdapter | undefined
  readonly maxSteps: number
}

/**
 * Builds the searcher; fails on an invalid `fetch.allow` entry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: SearchOptions): Effect.Effect<Searcher, Cause.IllegalArgumentError> =>
  Effect.try({
    try: () => ({
      fetcher: GuardedFetch.make(options?.fetch),
      news: options?.news,
      maxSteps: Math.max(1, Math.floor(options?.maxSteps ?? 10))
    }),
    catch: (error) => new Cause.IllegalArgumentError(error instanceof Error ? error.message : String(error))
  })

/**
 * One entry of `warnings` in a result: the setting (a path such as
 * `search_parameters.sources[0].safe_search`), what happened instead, and the kind of warning
 * (`NoEquivalent`, `Approximated`, `Truncated`, `NewsFilteringUnavailable`, `ModeOnNotEnforceable`,
 * `SearchDisabled`, `InvalidSetting`, `SearchOff`, `FeedFailed`, `SearchFailed`).
 *
 * @since 0.1.0
 * @category models
 */
export interface WarningEntry {
  readonly kind: string
  readonly setting: string
  readonly message: string
}

/**
 * One entry of `citations` in a result: where it came from (`web_search`, `x_search`, or `tool`
 * for a feed entry, `tool` naming the local tool), and its title and date when known.
 *
 * @since 0.1.0
 * @category models
 */
export interface CitationEntry {
  readonly url: string
  readonly title: string | null
  readonly date: string | null
  readonly origin: "web_search" | "x_search" | "tool"
  readonly tool?: string
}

const text = (value: string): McpSchema.ContentBlock => ({ type: "text", text: value })

const PREFIX = "search_parameters"

/**
 * The warnings of a call with `mode: "off"`: no search ran and the request went to chat
 * completions without `search_parameters` (and, from the planner, the settings left unused).
 *
 * @since 0.1.0
 * @category warnings
 */
export const offWarnings = (parameters: SearchParameters): ReadonlyArray<WarningEntry> => [
  {
    kind: "SearchOff",
    setting: `${PREFIX}.mode`,
    message: "mode is \"off\": no search ran; the request went to chat completions without search_parameters"
  },
  ...SearchPlan.fromSearchParameters(parameters).warnings.map((warning) => ({
    kind: warning._tag,
    setting: warning.setting,
    message: warning.message
  }))
]

/**
 * The text block that lists warnings, for the text content of a result.
 *
 * @since 0.1.0
 * @category results
 */
export const warningsText = (warnings: ReadonlyArray<WarningEntry>): McpSchema.ContentBlock =>
  text(`Search warnings:\n${warnings.map((warning) => `- ${warning.setting}: ${warning.message}`).join("\n")}`)

// ---------------------------------------------------------------------------------------------
// Mapping the input onto an agent
// ---------------------------------------------------------------------------------------------

type Issue = ValidationIssue.ValidationIssue

const RESPONSES_HAS_NO = ["frequency_penalty", "presence_penalty", "logit_bias", "seed", "stop"] as const

const hasImage = (content: MessageContent | null | undefined): boolean =>
  Array.isArray(content) && content.some((part) => part.type === "image_url")

const textOf = (content: MessageContent): string =>
  typeof content === "string" ? content : content.flatMap((part) => part.type === "text" ? [part.text] : []).join("\n")

/**
 * What a search run takes from a call: the agent (model, instructions, request options) and the
 * conversation.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchRun {
  readonly agent: Agent.Agent<{}, string>
  readonly conversation: ReadonlyArray<ChatMessage>
}

/**
 * Maps a call (its input, and the chat request `toChatCompletionRequest` made of it without
 * `search_parameters`) onto an agent and a conversation for `SearchAgent`, or fails with one
 * issue per field the Responses path cannot take.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toSearchRun = (
  input: CreateChatCompletionInput,
  request: ChatCompletionRequest,
  searcher: Searcher
): Effect.Effect<SearchRun, GrokError> =>
  Effect.suspend(() => {
    const issues: Array<Issue> = []
    const why = "searching runs on xAI's Responses API"
    const orOff = "(or set search_parameters.mode to \"off\" to send the request to chat completions without search)"
    for (const field of RESPONSES_HAS_NO) {
      if (input[field] !== undefined) {
        issues.push({ path: [field], message: `${why}, which has no ${field}: remove it ${orOff}` })
      }
    }
    if (input.n !== undefined && input.n !== 1) {
      issues.push({ path: ["n"], message: `a search answers with one choice: remove n or set it to 1, got ${input.n}` })
    }
    if (input.tools !== undefined) {
      issues.push({
        path: ["tools"],
        message: "with search_parameters the server runs the search loop itself and cannot hand calls of your tools " +
          `back to you: remove tools ${orOff}`
      })
    }
    if (input.tool_choice !== undefined && input.tool_choice !== "auto") {
      issues.push({
        path: ["tool_choice"],
        message:
          "with search_parameters the search plan chooses the tools (mode \"on\" makes the first step search): " +
          "remove tool_choice or set it to \"auto\""
      })
    }
    let leading = 0
    while (leading < request.messages.length && request.messages[leading]!.role === "system") leading++
    request.messages.forEach((message, index) => {
      if (message.role === "user" && message.name !== undefined) {
        issues.push({
          path: ["messages", index, "name"],
          message: `${why}, which takes no name on messages: remove it`
        })
      }
      if (message.role !== "user" && hasImage(message.content)) {
        issues.push({
          path: ["messages", index, "content"],
          message: `${why}, which takes images in user messages only: move the image to a user message`
        })
      }
    })
    if (request.messages.length === leading) {
      issues.push({ path: ["messages"], message: "a search needs a user message to answer; add one" })
    }
    issues.push(...searchParameterIssues(input.search_parameters ?? {}, searcher))
    if (issues.length > 0) return Effect.fail(GrokError.invalidRequest("createChatCompletion", issues))

    const instructions = request.messages.slice(0, leading).map((message) => textOf(message.content ?? ""))
      .filter((part) => part !== "").join("\n\n")
    const options: { -readonly [K in keyof Agent.RequestOptions]?: Agent.RequestOptions[K] } = {}
    if (request.temperature !== undefined) options.temperature = request.temperature
    if (request.top_p !== undefined) options.top_p = request.top_p
    if (request.max_completion_tokens !== undefined) options.max_completion_tokens = request.max_completion_tokens
    if (request.user !== undefined) options.user = request.user
    if (request.response_format !== undefined) options.response_format = request.response_format
    if (request.tool_choice === "auto") options.tool_choice = "auto"
    const agent = Agent.make({
      name: "create_chat_completion",
      model: request.model,
      ...(instructions === "" ? {} : { instructions }),
      ...(Object.keys(options).length === 0 ? {} : { request: options }),
      maxSteps: searcher.maxSteps,
      onMaxSteps: "final-answer"
    })
    return Effect.succeed({ agent, conversation: request.messages.slice(leading) })
  })

const blockedMessage = (error: GuardedFetch.GuardedFetchError): string =>
  error.reason._tag === "BlockedAddress"
    ? `the address is blocked: ${error.message}; the server does not read feeds at loopback, private, link-local ` +
      "or reserved addresses: give a feed at a public address"
    : `${error.message}: give an http or https URL of a feed`

/**
 * Search settings refused outright: those the planner would only warn about but that leave nothing
 * to search (no sources, an rss source without links), and feed links the guarded fetcher refuses
 * without fetching (scheme, credentials, a literal non-public address, a local host name).
 */
const searchParameterIssues = (parameters: SearchParameters, searcher: Searcher): Array<Issue> => {
  const issues: Array<Issue> = []
  const sources = parameters.sources
  if (sources !== undefined && sources.length === 0) {
    issues.push({
      path: [PREFIX, "sources"],
      message: "is empty: give at least one source (web, x, news, rss), leave sources out to search the web and X, " +
        "or set mode to \"off\""
    })
  }
  sources?.forEach((source, index) => {
    if (source.type !== "rss") return
    if (source.links.length === 0) {
      issues.push({ path: [PREFIX, "sources", index, "links"], message: "an rss source needs at least one feed link" })
    }
    source.links.forEach((link, position) => {
      const path = [PREFIX, "sources", index, "links", position]
      if (link.trim() === "") {
        issues.push({ path, message: "is empty: give the URL of a feed" })
        return
      }
      const checked = Effect.runSyncExit(searcher.fetcher.check(link.trim()))
      if (checked._tag === "Failure") {
        const error = Cause.findErrorOption(checked.cause)
        issues.push({
          path,
          message: error._tag === "Some" ? blockedMessage(error.value) : "cannot be checked: give the URL of a feed"
        })
      }
    })
  })
  return issues
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/** A fetcher that records, per URL, the last failure of a feed. */
const recordingFetcher = (base: GuardedFetch.GuardedFetchService) => {
  const failures = new Map<string, GuardedFetch.GuardedFetchError>()
  const service: GuardedFetch.GuardedFetchService = {
    check: base.check,
    fetch: (url, options) =>
      base.fetch(url, options).pipe(
        Effect.tap(() => Effect.sync(() => failures.delete(url))),
        Effect.tapError((error) => Effect.sync(() => failures.set(url, error)))
      )
  }
  return { service, failures }
}

interface Prepared {
  readonly plan: SearchPlan.PlanResult
  /** The fetcher, and the news adapter when there is one (looked up by `SearchAgent`). */
  readonly layer: Layer.Layer<GuardedFetch.GuardedFetch>
  readonly failures: ReadonlyMap<string, GuardedFetch.GuardedFetchError>
}

const prepare = (parameters: SearchParameters, searcher: Searcher): Prepared => {
  const news = searcher.news
  const plan = SearchPlan.fromSearchParameters(parameters, { localSources: news === undefined ? [] : ["news"] })
  const recording = recordingFetcher(searcher.fetcher)
  const fetchLayer = Layer.succeed(GuardedFetch.GuardedFetch, recording.service)
  const layer = news === undefined ? fetchLayer : Layer.merge(
    fetchLayer,
    SearchAdapter.layer("news", "search" in news ? news : NewsAdapter.makeWith(recording.service, news))
  ) as unknown as Layer.Layer<GuardedFetch.GuardedFetch>
  return { plan, layer, failures: recording.failures }
}

const failureText = (content: string): string => {
  const body = content.replace(/^Error: /, "")
  try {
    const parsed = JSON.parse(body) as unknown
    if (typeof parsed === "object" && parsed !== null && "message" in parsed && typeof parsed.message === "string") {
      return parsed.message
    }
  } catch {
    // not JSON: the text as is
  }
  return body
}

/** Warnings for feeds that failed and local searches that failed, on top of the plan's. */
const runWarnings = (
  parameters: SearchParameters,
  prepared: Prepared,
  result: AgentResult<string>
): Array<WarningEntry> => {
  const warnings: Array<WarningEntry> = (result.warnings ?? []).map((warning) => ({
    kind: warning._tag,
    setting: warning.setting,
    message: warning.message
  }))
  const sources = parameters.sources ?? []
  const settingOf = (url: string): { readonly setting: string; readonly source: "rss" | "news" } => {
    for (const [index, source] of sources.entries()) {
      if (source.type !== "rss") continue
      const position = source.links.findIndex((link) => link.trim() === url)
      if (position >= 0) return { setting: `${PREFIX}.sources[${index}].links[${position}]`, source: "rss" }
    }
    const news = sources.findIndex((source) => source.type === "news")
    return { setting: news >= 0 ? `${PREFIX}.sources[${news}]` : `${PREFIX}.sources`, source: "news" }
  }
  const explained = new Set<string>()
  for (const [url, error] of prepared.failures) {
    const { setting, source } = settingOf(url)
    explained.add(source)
    warnings.push({
      kind: "FeedFailed",
      setting,
      message: `the feed ${url} was not read: ${error.message}` +
        (error.reason._tag === "BlockedAddress" ? " (the address is blocked: not a public address)" : "")
    })
  }
  const localTools = new Map(prepared.plan.plan.localSearches.map((search) => [search.toolName, search.source]))
  const seen = new Set<string>()
  for (const step of result.steps) {
    for (const toolResult of step.toolResults) {
      const source = localTools.get(toolResult.name)
      if (source === undefined || !toolResult.isFailure || explained.has(source)) continue
      const message = failureText(toolResult.content)
      if (seen.has(`${source}\n${message}`)) continue
      seen.add(`${source}\n${message}`)
      const index = sources.findIndex((entry) => entry.type === source)
      warnings.push({
        kind: "SearchFailed",
        setting: index >= 0 ? `${PREFIX}.sources[${index}]` : `${PREFIX}.sources`,
        message: `the ${source} search (${toolResult.name}) failed: ${message}`
      })
    }
  }
  return warnings
}

/**
 * The tool result of a search run: the answer as text content (then its citations and warnings,
 * if any), and as structured content `answer`, `model`, `stop_reason`, `usage`, `cost_in_usd`,
 * `citations` (`url`, `title`, `date`, `origin`, and `tool` for feed entries), `warnings`
 * (`kind`, `setting`, `message`) and `search` (the tools the plan offered, and the searches run).
 *
 * @since 0.1.0
 * @category results
 */
export const searchResult = (
  model: string,
  plan: SearchPlan.PlanResult,
  result: AgentResult<string>,
  warnings: ReadonlyArray<WarningEntry>
): McpSchema.CallToolResult => {
  const answer = result.status === "completed" ? result.text : ""
  const sources: ReadonlyArray<CitationSource.CitationSource> = result.sources ??
    result.citations.map((url) => ({ url, origin: "web_search" as const }))
  const citations: Array<CitationEntry> = sources.map((source) => ({
    url: source.url,
    title: source.title ?? null,
    date: source.date ?? null,
    origin: source.origin,
    ...(source.tool === undefined ? {} : { tool: source.tool })
  }))
  const content = [text(answer === "" ? "(empty answer)" : answer)]
  if (citations.length > 0) {
    content.push(text(
      `Citations:\n${
        citations.map((citation) =>
          `- ${citation.title === null ? "" : `${citation.title} `}<${citation.url}>` +
          (citation.date === null ? "" : ` (${citation.date})`)
        ).join("\n")
      }`
    ))
  }
  if (warnings.length > 0) content.push(warningsText(warnings))
  const usage = result.usage
  const serverCalls = result.steps.flatMap((step) => step.serverToolCalls ?? []).map((call) => call.type)
  const localCalls = result.steps.flatMap((step) => step.toolCalls.map((call) => call.function.name))
  return new McpSchema.CallToolResult({
    content,
    structuredContent: {
      answer,
      model,
      stop_reason: result.status === "completed" ? result.stopReason : "paused",
      usage: {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        reasoning_tokens: usage.reasoningTokens,
        cached_prompt_tokens: usage.cachedPromptTokens,
        total_tokens: usage.totalTokens,
        cost_in_usd_ticks: usage.costInUsdTicks,
        server_side_tool_calls: usage.serverSideToolCalls ?? 0,
        unreported_calls: usage.unreportedCalls
      },
      cost_in_usd: RunUsage.costInUsDollars(usage),
      citations,
      warnings,
      search: {
        mode: plan.plan.mode,
        server_tools: plan.plan.serverTools.map((tool) => tool.type),
        local_tools: plan.plan.localSearches.map((search) => search.toolName),
        server_tool_calls: serverCalls,
        local_tool_calls: localCalls,
        steps: result.steps.length
      }
    }
  })
}

/**
 * Runs a search for a call: plans its `search_parameters`, runs the agent with `SearchAgent.run`
 * (or `SearchAgent.stream` when `progress` is given, each text delta reported), and builds the
 * tool result. Fails with the run's `AgentError`.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  parameters: SearchParameters,
  searchRun: SearchRun,
  searcher: Searcher,
  progress?: (progress: number, message: string) => Effect.Effect<void>
): Effect.Effect<McpSchema.CallToolResult, AgentError, GrokResponses> =>
  Effect.gen(function*() {
    const prepared = prepare(parameters, searcher)
    const options = { search: prepared.plan }
    let result: AgentResult<string>
    if (progress === undefined) {
      result = yield* SearchAgent.run(searchRun.agent, searchRun.conversation, options).pipe(
        Effect.provide(prepared.layer)
      )
    } else {
      let count = 0
      let finished: AgentResult<string> | undefined
      yield* Stream.runForEach(
        SearchAgent.stream(searchRun.agent, searchRun.conversation, options).pipe(Stream.provide(prepared.layer)),
        (event: AgentEventType<string>) => {
          if (event._tag === "Finish") finished = event.result
          if (event._tag !== "TextDelta" || event.delta === "") return Effect.void
          count++
          return progress(count, event.delta)
        }
      )
      if (finished === undefined) return yield* Effect.die(new Error("the search stream ended without its result"))
      result = finished
    }
    return searchResult(
      searchRun.agent.options.model,
      prepared.plan,
      result,
      runWarnings(parameters, prepared, result)
    )
  })
