/**
 * The grokit MCP server: xAI's Grok as MCP tools, on effect/ai's `McpServer`.
 *
 * - `create_chat_completion`: the seed tool, with the seed's description and exactly the seed's
 *   input schema. A call is decoded and mapped by `@grokit/core`
 *   (`decodeCreateChatCompletionInput`, `toChatCompletionRequest`) and sent through `GrokClient`.
 *   The answer's text comes back as text content and the whole completion (choices, tool calls,
 *   usage, `cost_in_usd`, citations) as structured content. With `stream: true` the completion is
 *   streamed, and each delta is sent as a progress notification when the client asked for progress
 *   (a `progressToken`); the final result is the same as without streaming.
 *
 *   With `search_parameters` (xAI removed Live Search: chat completions that carry it get HTTP
 *   410), the call is a search instead (`SearchCompletion`): planned by `@grokit/search`
 *   (`SearchPlan`: web and x as xAI's server-side `web_search` / `x_search` tools, rss and news
 *   through local adapters behind a guarded fetcher) and run by `SearchAgent` on the Responses
 *   API; the answer comes back as text content, and the answer, usage, cost, citations (url,
 *   title, date, origin) and warnings (every setting not honoured as asked) as structured content.
 *   `mode: "off"` sends the request to chat completions without `search_parameters`, with a
 *   warning that says so.
 * - `list_models` and `get_model` (`model_id`).
 *
 * Invalid arguments and API failures are tool results with `isError: true` whose text says what to
 * change (the field and the rule it broke, or what the API answered), never protocol errors and
 * never crashes.
 *
 * Transports: `layerStdio` (newline-delimited JSON-RPC on stdin/stdout) and `layerHttp`
 * (Streamable HTTP on a Node server, behind the checks of `HttpGuard`).
 *
 * @since 0.1.0
 */
import { NodeHttpServer } from "@effect/platform-node"
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  costInUsDollars,
  createChatCompletionInputJsonSchema,
  decodeCreateChatCompletionInput,
  GrokClient,
  GrokError,
  GrokResponses,
  type Model,
  type ModelList,
  strictParseOptions,
  toChatCompletionRequest,
  ValidationIssue
} from "@grokit/core"
import type { AgentError } from "@grokit/runtime"
import { Cause, Context, Duration, Effect, JsonSchema, Layer, Schema, Stream } from "effect"
import type { Stdio } from "effect"
import { McpProtocol, McpSchema, McpServer } from "effect/ai"
import type { HttpServer, HttpServerError } from "effect/http"
import { HttpRouter } from "effect/http"
import { createServer } from "node:http"
import * as HttpGuard from "./HttpGuard.ts"
import * as SearchCompletion from "./SearchCompletion.ts"
import * as StdioFraming from "./StdioFraming.ts"

/**
 * The name and version the server reports in `initialize`.
 *
 * @since 0.1.0
 * @category constants
 */
export const serverInfo = { name: "grokit", version: "0.1.0" } as const

/**
 * The MCP revisions the server speaks, newest first: every sessionful revision effect/ai
 * implements, so that older clients can connect too.
 *
 * @since 0.1.0
 * @category constants
 */
export const protocols = [
  McpProtocol.v2025_11_25,
  McpProtocol.v2025_06_18,
  McpProtocol.v2025_03_26,
  McpProtocol.v2024_11_05
] as const

/**
 * What the server tells clients about itself in `initialize`.
 *
 * @since 0.1.0
 * @category constants
 */
export const instructions = "Tools for xAI's Grok: create_chat_completion (Grok's chat completions, with the input " +
  "schema of the create_chat_completion tool; with search_parameters it searches the web, X, news and RSS feeds " +
  "and answers with citations), list_models and get_model."

/**
 * The seed tool's description, as the seed states it.
 *
 * @since 0.1.0
 * @category constants
 */
export const createChatCompletionDescription = "Generate chat completions using the Grok API by specifying models, " +
  "messages, and parameters like temperature, tools, and response format to create tailored conversational outputs."

const toolJsonSchema = (schema: Schema.Top): McpSchema.ToolJson => {
  const document = JsonSchema.toDocumentDraft07(Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" }))
  return document.schema as McpSchema.ToolJson
}

/**
 * The arguments of `get_model`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetModelInput = Schema.Struct({
  model_id: Schema.String.check(Schema.isMinLength(1)).annotate({
    description: "ID of the model to get, e.g. grok-4.3 (list_models gives the ids)"
  })
})

/**
 * The tool `create_chat_completion` as `tools/list` shows it: the seed's description and input
 * schema (draft-07, spelled as the seed spells it).
 *
 * @since 0.1.0
 * @category tools
 */
export const createChatCompletionTool: McpSchema.Tool = new McpSchema.Tool({
  name: "create_chat_completion",
  title: "Create a chat completion with the Grok API",
  description: createChatCompletionDescription,
  inputSchema: createChatCompletionInputJsonSchema() as McpSchema.ToolJson,
  annotations: {
    title: "Create a chat completion with the Grok API",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true
  }
})

/**
 * The tool `list_models`.
 *
 * @since 0.1.0
 * @category tools
 */
export const listModelsTool: McpSchema.Tool = new McpSchema.Tool({
  name: "list_models",
  title: "List the Grok models",
  description: "List the models the Grok API key can use (GET /v1/models).",
  inputSchema: { type: "object", properties: {}, additionalProperties: false },
  annotations: {
    title: "List the Grok models",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true
  }
})

/**
 * The tool `get_model`.
 *
 * @since 0.1.0
 * @category tools
 */
export const getModelTool: McpSchema.Tool = new McpSchema.Tool({
  name: "get_model",
  title: "Get a Grok model",
  description: "Get one model of the Grok API by its id (GET /v1/models/{model_id}).",
  inputSchema: toolJsonSchema(GetModelInput),
  annotations: {
    title: "Get a Grok model",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true
  }
})

/**
 * Sends one progress notification of a streamed call.
 *
 * @since 0.1.0
 * @category models
 */
export type ProgressSink = (progress: number, message: string) => Effect.Effect<void>

const text = (value: string): McpSchema.ContentBlock => ({ type: "text", text: value })

const describeToolCalls = (
  calls: ReadonlyArray<
    { readonly id: string; readonly function: { readonly name: string; readonly arguments: string } }
  >
): string =>
  `Grok called ${calls.length === 1 ? "a tool" : `${calls.length} tools`}:\n` +
  calls.map((call) => `- ${call.function.name}(${call.function.arguments}) [tool_call_id ${call.id}]`).join("\n")

const choiceText = (choice: ChatCompletion["choices"][number]): string => {
  const parts: Array<string> = []
  const content = choice.message.content ?? ""
  if (content !== "") parts.push(content)
  if (choice.message.refusal != null && choice.message.refusal !== "") parts.push(`Refusal: ${choice.message.refusal}`)
  const calls = choice.message.tool_calls ?? []
  if (calls.length > 0) parts.push(describeToolCalls(calls))
  return parts.length === 0 ? "(empty answer)" : parts.join("\n\n")
}

/**
 * The tool result of a completion: the answer's text (and the tool calls it makes, if any) as text
 * content, and the whole completion, with `cost_in_usd` and `citations` always present, as
 * structured content.
 *
 * @since 0.1.0
 * @category results
 */
export const completionResult = (completion: ChatCompletion): McpSchema.CallToolResult => {
  const choices = completion.choices
  const content = choices.length === 0
    ? [text("(no choices)")]
    : choices.length === 1
    ? [text(choiceText(choices[0]!))]
    : choices.map((choice) => text(`Choice ${choice.index}:\n${choiceText(choice)}`))
  if ((completion.citations ?? []).length > 0) {
    content.push(text(`Citations:\n${completion.citations!.map((url) => `- ${url}`).join("\n")}`))
  }
  const cost = completion.usage == null ? undefined : costInUsDollars(completion.usage)
  return new McpSchema.CallToolResult({
    content,
    structuredContent: {
      ...completion,
      citations: completion.citations ?? [],
      cost_in_usd: cost ?? null
    }
  })
}

const issueLines = (issues: ReadonlyArray<ValidationIssue.ValidationIssue>): string =>
  issues.map((issue) => `- ${ValidationIssue.formatIssue(issue)}`).join("\n")

/**
 * The tool error for a failure: a text that says what to change, and the failure as structured
 * content (`error.reason`, `error.message`, `error.retryable`, `error.issues`).
 *
 * @since 0.1.0
 * @category results
 */
export const errorResult = (tool: string, error: GrokError): McpSchema.CallToolResult => {
  const reason = error.reason
  let message: string
  let issues: ReadonlyArray<ValidationIssue.ValidationIssue> = []
  switch (reason._tag) {
    case "InvalidRequest":
      issues = reason.issues
      message = `Invalid arguments for ${tool}. Change these and call it again:\n${issueLines(reason.issues)}`
      break
    case "LiveSearchRemoved":
      message = `${tool} cannot send search_parameters to chat completions: ${reason.message}`
      break
    case "UnsupportedParameter":
      message = `The model ${reason.model} does not accept some parameters: ${reason.rule}. ` +
        `Remove them (or choose another model) and call ${tool} again.`
      break
    case "HttpStatusError":
      message = `The Grok API refused the call: ${reason.message}` +
        (reason.status === 404 ? " Call list_models to see the model ids you can use." : "")
      break
    default:
      message = `The Grok API call failed: ${reason.message}` +
        (reason.isRetryable ? " (a temporary failure: calling again later may succeed)" : "")
  }
  return new McpSchema.CallToolResult({
    isError: true,
    content: [text(message)],
    structuredContent: {
      error: {
        reason: reason._tag,
        message,
        retryable: reason.isRetryable,
        issues: issues.map((issue) => ({ path: ValidationIssue.formatPath(issue.path), message: issue.message }))
      }
    }
  })
}

/**
 * The tool error for a search run that failed: the API's error as `errorResult` says it, or why the
 * run could not finish.
 *
 * @since 0.1.0
 * @category results
 */
export const agentErrorResult = (tool: string, error: AgentError): McpSchema.CallToolResult => {
  const reason = error.reason
  if (reason._tag === "ModelCallFailed") return errorResult(tool, reason.error)
  const message = `${tool} could not finish the search: ${reason.message}`
  return new McpSchema.CallToolResult({
    isError: true,
    content: [text(message)],
    structuredContent: { error: { reason: reason._tag, message, retryable: false, issues: [] } }
  })
}

const internalErrorResult = (tool: string, cause: Cause.Cause<unknown>): McpSchema.CallToolResult =>
  new McpSchema.CallToolResult({
    isError: true,
    content: [text(`${tool} failed with an internal error: ${Cause.pretty(cause).split("\n")[0] ?? "unknown"}`)],
    structuredContent: { error: { reason: "InternalError", message: "internal error", retryable: false, issues: [] } }
  })

/** Turns every failure into a tool error and every defect into an internal tool error. */
const asToolResult = (tool: string) =>
<R>(
  effect: Effect.Effect<McpSchema.CallToolResult, GrokError | AgentError, R>
): Effect.Effect<McpSchema.CallToolResult, never, R> =>
  effect.pipe(
    Effect.catch((error) =>
      Effect.succeed(error._tag === "AgentError" ? agentErrorResult(tool, error) : errorResult(tool, error))
    ),
    Effect.catchCause((cause) =>
      Cause.hasInterruptsOnly(cause) ? Effect.failCause(cause as Cause.Cause<never>) : Effect.succeed(
        internalErrorResult(tool, cause)
      )
    )
  )

const PROGRESS_SETTLE = Duration.millis(50)

/**
 * Runs `effect` with a sink that counts the progress notifications sent, and pauses briefly after
 * the last one: the TypeScript SDK client handles a notification a microtask later than a
 * response that arrives in the same read, and then drops it as "unknown token" (or, in some
 * clients, closes the connection): modelcontextprotocol/typescript-sdk#2580. The pause keeps the
 * last notification out of the response's read.
 */
const settled = <A, E, R>(
  progress: ProgressSink,
  effect: (sink: ProgressSink) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    let count = 0
    const sink: ProgressSink = (value, message) => {
      count++
      return progress(value, message)
    }
    return Effect.tap(effect(sink), () => count > 0 ? Effect.sleep(PROGRESS_SETTLE) : Effect.void)
  })

const streamed = (
  grok: GrokClient["Service"],
  request: Parameters<GrokClient["Service"]["streamChatCompletion"]>[0],
  progress: ProgressSink | undefined
): Effect.Effect<ChatCompletion, GrokError> => {
  if (progress === undefined) return GrokClient.collect(grok.streamChatCompletion(request))
  return settled(progress, (sink) => {
    let count = 0
    const report = (chunk: ChatCompletionChunk): Effect.Effect<void> => {
      let delta = ""
      for (const choice of chunk.choices) {
        if (choice.delta.content != null) delta += choice.delta.content
      }
      if (delta === "") return Effect.void
      count++
      return sink(count, delta)
    }
    return GrokClient.collect(grok.streamChatCompletion(request).pipe(Stream.tap(report)))
  })
}

let defaultSearcher: SearchCompletion.Searcher | undefined

/** The searcher of a server built without search options: the guarded fetcher's defaults. */
const searcherOf = (searcher: SearchCompletion.Searcher | undefined): SearchCompletion.Searcher =>
  searcher ?? (defaultSearcher ??= Effect.runSync(SearchCompletion.make()))

/** A completion's result with the warnings of `search_parameters` with `mode: "off"`. */
const withWarnings = (
  result: McpSchema.CallToolResult,
  warnings: ReadonlyArray<SearchCompletion.WarningEntry>
): McpSchema.CallToolResult =>
  new McpSchema.CallToolResult({
    content: [...result.content, SearchCompletion.warningsText(warnings)],
    structuredContent: { ...(result.structuredContent as Record<string, unknown>), warnings }
  })

/**
 * Runs one `create_chat_completion` call: decode, map, send (streamed when `stream: true`, each
 * text delta reported to `progress` when given), and build the tool result. With
 * `search_parameters` (mode `"auto"` or `"on"`), the call is a search run by `SearchCompletion`
 * with `searcher` (default: the guarded fetcher's defaults, no news adapter); with mode `"off"`
 * the request goes to chat completions without them, and the result's `warnings` say so. Never
 * fails: invalid arguments and API errors are tool errors.
 *
 * @since 0.1.0
 * @category handlers
 */
export const createChatCompletion = (
  args: unknown,
  progress?: ProgressSink,
  searcher?: SearchCompletion.Searcher
): Effect.Effect<McpSchema.CallToolResult, never, GrokClient | GrokResponses> =>
  Effect.gen(function*() {
    const grok = yield* GrokClient
    const input = yield* decodeCreateChatCompletionInput(args)
    const { search_parameters: search, ...chatInput } = input
    const request = yield* toChatCompletionRequest(chatInput)
    if (search !== undefined && search.mode !== "off") {
      const searching = searcherOf(searcher)
      const searchRun = yield* SearchCompletion.toSearchRun(input, request, searching)
      if (input.stream !== true) return yield* SearchCompletion.run(search, searchRun, searching)
      // streamed from Grok either way; deltas reported when the client asked for progress
      return yield* progress === undefined
        ? SearchCompletion.run(search, searchRun, searching, () => Effect.void)
        : settled(progress, (sink) => SearchCompletion.run(search, searchRun, searching, sink))
    }
    const completion = input.stream === true
      ? yield* streamed(grok, request, progress)
      : yield* grok.createChatCompletion(request)
    const result = completionResult(completion)
    return search === undefined ? result : withWarnings(result, SearchCompletion.offWarnings(search))
  }).pipe(asToolResult("create_chat_completion"))

const decodeStrict = <S extends Schema.Codec<any, any>>(schema: S, tool: string) => {
  const decode = Schema.decodeUnknownEffect(schema, strictParseOptions)
  return (args: unknown): Effect.Effect<S["Type"], GrokError> =>
    Effect.mapError(
      decode(args) as Effect.Effect<S["Type"], Schema.SchemaError>,
      (error) => GrokError.invalidRequest(tool, ValidationIssue.fromSchemaError(error))
    )
}

const decodeListModels = (args: unknown): Effect.Effect<void, GrokError> => {
  const keys = typeof args === "object" && args !== null ? Object.keys(args) : []
  return keys.length === 0 ? Effect.void : Effect.fail(GrokError.invalidRequest(
    "list_models",
    keys.map((key) => ({ path: [key], message: "is not a known field here (list_models takes no arguments)" }))
  ))
}
const decodeGetModel = decodeStrict(GetModelInput, "get_model")

const describeModel = (model: Model): string =>
  model.owned_by == null ? model.id : `${model.id} (owned by ${model.owned_by})`

/**
 * Runs one `list_models` call.
 *
 * @since 0.1.0
 * @category handlers
 */
export const listModels = (args: unknown): Effect.Effect<McpSchema.CallToolResult, never, GrokClient> =>
  Effect.gen(function*() {
    const grok = yield* GrokClient
    yield* decodeListModels(args)
    const list: ModelList = yield* grok.listModels
    return new McpSchema.CallToolResult({
      content: [text(
        list.data.length === 0 ? "No models." : `Models:\n${list.data.map((m) => `- ${describeModel(m)}`).join("\n")}`
      )],
      structuredContent: { object: list.object ?? "list", data: list.data }
    })
  }).pipe(asToolResult("list_models"))

/**
 * Runs one `get_model` call.
 *
 * @since 0.1.0
 * @category handlers
 */
export const getModel = (args: unknown): Effect.Effect<McpSchema.CallToolResult, never, GrokClient> =>
  Effect.gen(function*() {
    const grok = yield* GrokClient
    const { model_id } = yield* decodeGetModel(args)
    const model = yield* grok.getModel(model_id)
    return new McpSchema.CallToolResult({
      content: [text(describeModel(model))],
      structuredContent: { ...model }
    })
  }).pipe(asToolResult("get_model"))

const progressTokenOf = (metadata: unknown): McpSchema.ProgressToken | undefined => {
  if (typeof metadata !== "object" || metadata === null) return undefined
  const token = (metadata as { readonly progressToken?: unknown }).progressToken
  return typeof token === "string" || (typeof token === "number" && Number.isFinite(token)) ? token : undefined
}

/**
 * Options of the server, set by whoever starts it (never by MCP clients).
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions {
  /**
   * Search settings for `search_parameters`: the guarded fetcher's options (e.g.
   * `fetch: { allow: ["127.0.0.1"] }` to read feeds on loopback in tests, or an intranet range),
   * a news adapter, the step cap. Default: public addresses only, no news adapter.
   */
  readonly search?: SearchCompletion.SearchOptions | undefined
}

/**
 * Registers the three tools on the `McpServer` of the context, with `options`. Requires
 * `GrokClient` and `GrokResponses` (searches run on the Responses API). Fails with
 * `IllegalArgumentError` on an invalid `search.fetch.allow` entry.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerToolsWith = (
  options?: ServerOptions
): Layer.Layer<never, Cause.IllegalArgumentError, McpServer.McpServer | GrokClient | GrokResponses> =>
  Layer.effectDiscard(Effect.gen(function*() {
    const server = yield* McpServer.McpServer
    const grok = yield* GrokClient
    const responses = yield* GrokResponses
    const searcher = yield* SearchCompletion.make(options?.search)
    const annotations = Context.empty()
    yield* server.addTool({
      tool: createChatCompletionTool,
      annotations,
      handle: (args) =>
        Effect.gen(function*() {
          const request = yield* McpSchema.McpRequestContext
          const token = progressTokenOf(request.requestMetadata)
          const progress: ProgressSink | undefined = token === undefined
            ? undefined
            : (progress, message) =>
              server.notifications["notifications/progress"]({ progressToken: token, progress, message }).pipe(
                Effect.ignore
              )
          return yield* createChatCompletion(args, progress, searcher)
        }).pipe(Effect.provideService(GrokClient, grok), Effect.provideService(GrokResponses, responses))
    })
    yield* server.addTool({
      tool: listModelsTool,
      annotations,
      handle: (args) => listModels(args).pipe(Effect.provideService(GrokClient, grok))
    })
    yield* server.addTool({
      tool: getModelTool,
      annotations,
      handle: (args) => getModel(args).pipe(Effect.provideService(GrokClient, grok))
    })
  }))

/**
 * Registers the three tools on the `McpServer` of the context, with the default options. Requires
 * `GrokClient` and `GrokResponses`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTools: Layer.Layer<
  never,
  Cause.IllegalArgumentError,
  McpServer.McpServer | GrokClient | GrokResponses
> = layerToolsWith()

const serverOptionsWith = (options: ServerOptions | undefined) => ({
  name: serverInfo.name,
  version: serverInfo.version,
  instructions,
  protocols,
  registrations: layerToolsWith(options)
})

/**
 * The server over stdio, with `options`: JSON-RPC messages, one per line, on stdin and stdout. A
 * line that is not JSON gets a parse error (`id: null`) and does not disturb the lines around it.
 * Nothing else is written to stdout (run it with logs routed to stderr: `Logger.LogToStderr`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStdioWith = (
  options?: ServerOptions
): Layer.Layer<McpServer.McpServer, Cause.IllegalArgumentError, Stdio.Stdio | GrokClient | GrokResponses> =>
  McpServer.layerStdio(serverOptionsWith(options)).pipe(Layer.provide(StdioFraming.layer()))

/**
 * The server over stdio, with the default options (`layerStdioWith()`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStdio: Layer.Layer<
  McpServer.McpServer,
  Cause.IllegalArgumentError,
  Stdio.Stdio | GrokClient | GrokResponses
> = layerStdioWith()

/**
 * Options of the Streamable HTTP transport.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpOptions extends HttpGuard.HttpGuardOptions, ServerOptions {
  /** The port to listen on; 0 picks a free one. */
  readonly port: number
  /** The interface to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** The endpoint path. Default `/mcp`. */
  readonly path?: `/${string}` | undefined
}

/**
 * The server over Streamable HTTP, on a Node HTTP server bound to `host` (default `127.0.0.1`)
 * and `port`, at `path` (default `/mcp`), every request checked by `HttpGuard` first (Host,
 * Origin, bearer token, per-client rate limit, body size, protocol version). Provides the `HttpServer` (for its address).
 * `search` sets the server's search options (`ServerOptions`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttp = (
  options: HttpOptions
): Layer.Layer<
  McpServer.McpServer | HttpServer.HttpServer,
  Cause.IllegalArgumentError | HttpServerError.ServeError,
  GrokClient | GrokResponses
> => {
  const host = options.host ?? "127.0.0.1"
  const { search, ...guardOptions } = options
  const app = Layer.mergeAll(
    // A client ends its session with DELETE (sessions do not expire otherwise).
    McpServer.layerHttp({
      ...serverOptionsWith({ search }),
      path: options.path ?? "/mcp",
      allowSessionTermination: true
    }),
    HttpGuard.layer({
      ...guardOptions,
      boundHost: host,
      protocolVersions: protocols.map((protocol) => protocol.protocolVersion)
    })
  ) as Layer.Layer<
    McpServer.McpServer,
    Cause.IllegalArgumentError,
    HttpRouter.HttpRouter | GrokClient | GrokResponses
  >
  return HttpRouter.serve(app, { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layerServer(createServer, { port: options.port, host })),
    Layer.provide(NodeHttpServer.layerHttpServices)
  )
}
