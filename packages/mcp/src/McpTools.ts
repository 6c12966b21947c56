/**
 * `McpTools`: the tools of MCP servers, for agents. Connect to one or more servers (a command
 * started over stdio, or a Streamable HTTP URL), list their tools, and get an effect/ai `Toolkit`
 * to pass as `Agent.make({ toolkit })` (alone or merged with local tools by `Toolkit.merge`) and
 * the `Layer` of its handlers, which call the servers.
 *
 * Each server can have a name prefix (`prefix: "grok_"` turns `list_models` into
 * `grok_list_models`), so that tools of different servers cannot clash; a clash, or a name that
 * Grok refuses, fails with a `McpToolsError` that says which prefix to set. A tool's input schema
 * goes to the model as the server states it; the server validates the arguments. A tool error
 * (`isError`) or a failed call goes back to the model as a failed tool result with the server's
 * text, so that it can correct itself.
 *
 * The connections live as long as the `Scope` of `make`. Clients speak MCP 2025-11-25 (effect/ai
 * `McpClient`), which servers built on the TypeScript SDK 1.2x and later, and `grokit mcp`, speak.
 *
 * @since 0.1.0
 */
import { Data, Duration, Effect, Layer, Schema } from "effect"
import type { Scope } from "effect"
import { McpClient, type McpClientError, McpProtocol, type McpSchema, Tool, Toolkit } from "effect/ai"
import type { HttpClient } from "effect/http"
import { ChildProcess, type ChildProcessSpawner } from "effect/process"

/**
 * A server started as a child process, spoken to over stdio.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandServer {
  /** A name for messages; default: the command. */
  readonly name?: string | undefined
  /** Put before each tool name, e.g. `"grok_"`. Default: none. */
  readonly prefix?: string | undefined
  readonly command: string
  readonly args?: ReadonlyArray<string> | undefined
  /** Environment variables added to this process's environment. */
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly cwd?: string | undefined
}

/**
 * A server reached over Streamable HTTP.
 *
 * @since 0.1.0
 * @category models
 */
export interface UrlServer {
  /** A name for messages; default: the URL. */
  readonly name?: string | undefined
  /** Put before each tool name, e.g. `"docs_"`. Default: none. */
  readonly prefix?: string | undefined
  readonly url: string
  /** Headers sent with every request, e.g. `{ authorization: "Bearer ..." }`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * Where a server is.
 *
 * @since 0.1.0
 * @category models
 */
export type ServerSpec = CommandServer | UrlServer

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface McpToolsOptions {
  /** Limit on connecting and listing the tools of one server. Default 30 seconds. */
  readonly connectTimeout?: Duration.Input | undefined
  /** Limit on one tool call. Default: none (bound tool calls with the agent's `toolTimeout`). */
  readonly callTimeout?: Duration.Input | undefined
}

/**
 * A tool of an MCP server, as the agent sees it: JSON Schema parameters, a text result, and a text
 * failure that goes back to the model.
 *
 * @since 0.1.0
 * @category models
 */
export type McpTool = Tool.Dynamic<string, {
  readonly parameters: Tool.Any["parametersSchema"] | Record<string, unknown>
  readonly success: typeof Schema.String
  readonly failure: typeof Schema.String
  readonly failureMode: "return"
}>

/**
 * The tools of a set of MCP servers.
 *
 * @since 0.1.0
 * @category models
 */
export type McpToolsRecord = Record<string, McpTool>

/**
 * One connected server.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectedServer {
  readonly name: string
  readonly prefix: string
  /** What the server said it is in `initialize`. */
  readonly serverInfo: McpSchema.Implementation | undefined
  /** The names of its tools, prefixed, as the model sees them. */
  readonly tools: ReadonlyArray<string>
}

/**
 * The tools of the servers, ready for an agent.
 *
 * @since 0.1.0
 * @category models
 */
export interface McpTools {
  /** The tools, for `Agent.make({ toolkit })` or `Toolkit.merge(localTools, mcp.toolkit)`. */
  readonly toolkit: Toolkit.Toolkit<McpToolsRecord>
  /** The handlers of the tools, which call the servers. */
  readonly layer: Layer.Layer<Tool.HandlersFor<McpToolsRecord>>
  readonly servers: ReadonlyArray<ConnectedServer>
}

/**
 * A server could not be used: it did not start or answer, or its tools cannot be offered to Grok.
 *
 * @since 0.1.0
 * @category errors
 */
export class McpToolsError extends Data.TaggedError("McpToolsError")<{
  /** The server's name. */
  readonly server: string
  readonly description: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `MCP server ${this.server}: ${this.description}`
  }
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/

const isCommandServer = (spec: ServerSpec): spec is CommandServer => "command" in spec

const describeError = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

const serverName = (spec: ServerSpec): string => spec.name ?? (isCommandServer(spec) ? spec.command : spec.url)

const connect = (
  spec: ServerSpec,
  timeout: Duration.Input
): Effect.Effect<
  McpClient.McpClient,
  McpToolsError,
  Scope.Scope | ChildProcessSpawner.ChildProcessSpawner | HttpClient.HttpClient
> => {
  const client = McpClient.make({ name: "grokit", version: "0.1.0", timeout })
  const connected: Effect.Effect<
    McpClient.McpClient,
    McpClientError.McpClientError,
    Scope.Scope | ChildProcessSpawner.ChildProcessSpawner | HttpClient.HttpClient
  > = isCommandServer(spec)
    ? Effect.provideServiceEffect(
      client,
      McpClient.Transport,
      McpClient.stdio({
        command: ChildProcess.make(spec.command, [...(spec.args ?? [])], {
          ...(spec.env === undefined ? {} : { env: { ...spec.env }, extendEnv: true }),
          ...(spec.cwd === undefined ? {} : { cwd: spec.cwd })
        }),
        protocol: McpProtocol.v2025_11_25
      })
    )
    : Effect.provideServiceEffect(
      client,
      McpClient.Transport,
      McpClient.http({ url: spec.url, protocol: McpProtocol.v2025_11_25, headers: { ...spec.headers } })
    )
  return Effect.mapError(
    connected,
    (error) =>
      new McpToolsError({
        server: serverName(spec),
        description: `cannot connect: ${describeError(error)}`,
        cause: error
      })
  )
}

const listTools = (client: McpClient.McpClient, spec: ServerSpec, timeout: Duration.Input) =>
  Effect.mapError(
    client.listTools({ timeout }),
    (error) =>
      new McpToolsError({
        server: serverName(spec),
        description: `cannot list its tools: ${describeError(error)}`,
        cause: error
      })
  )

const contentText = (block: McpSchema.ContentBlock): string => {
  switch (block.type) {
    case "text":
      return block.text
    case "image":
    case "audio":
      return `[${block.type}: ${block.mimeType}]`
    case "resource_link":
      return `[resource: ${block.uri}]`
    case "resource":
      return "text" in block.resource && typeof block.resource.text === "string"
        ? block.resource.text
        : `[resource: ${block.resource.uri}]`
    default:
      return JSON.stringify(block)
  }
}

/**
 * The text a model reads for a tool result: its content blocks, one per paragraph, or its
 * structured content as JSON when it has no content.
 *
 * @since 0.1.0
 * @category conversions
 */
export const resultText = (result: McpSchema.CallToolResult): string => {
  const texts = result.content.map(contentText).filter((text) => text !== "")
  if (texts.length > 0) return texts.join("\n\n")
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent)
  return result.isError === true ? "the tool failed without a message" : "(empty result)"
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The model-facing tool of a server's tool, under its prefixed name. */
const toolOf = (name: string, descriptor: McpSchema.Tool): McpTool =>
  Tool.dynamic(name, {
    description: descriptor.description ?? descriptor.title ?? descriptor.annotations?.title,
    parameters: descriptor.inputSchema as Record<string, unknown>,
    success: Schema.String,
    failure: Schema.String,
    failureMode: "return"
  }) as McpTool

type Handler = (params: unknown) => Effect.Effect<string, string>

/** Calls a server's tool: its text, or a failure with the server's text for the model. */
const handlerOf = (
  client: McpClient.McpClient,
  server: string,
  descriptor: McpSchema.Tool,
  callTimeout: Duration.Input | undefined
): Handler =>
(params) =>
  isRecord(params)
    ? client.callTool(
      { tool: descriptor, arguments: params },
      callTimeout === undefined ? undefined : { timeout: callTimeout }
    ).pipe(
      Effect.mapError((error) => `the call to ${server} failed: ${describeError(error)}`),
      Effect.flatMap((result: McpSchema.CallToolResult) =>
        result.isError === true ? Effect.fail(resultText(result)) : Effect.succeed(resultText(result))
      )
    )
    : Effect.fail("the arguments must be a JSON object")

const checkName = (server: string, prefix: string, name: string): McpToolsError | undefined =>
  TOOL_NAME.test(name) ? undefined : new McpToolsError({
    server,
    description: `its tool ${JSON.stringify(name)} is not a name Grok accepts (1-64 letters, digits, _ or -)` +
      (prefix === "" ? "" : `; shorten the prefix ${JSON.stringify(prefix)}`)
  })

const toolkitOf = (tools: ReadonlyArray<McpTool>) =>
  Toolkit.make(...tools) as unknown as Toolkit.Toolkit<McpToolsRecord>

/**
 * Connects to the servers (in order) and lists their tools. The connections (and the processes of
 * command servers) last until the scope closes.
 *
 * @example
 * ```ts
 * import { McpTools } from "@grokit/mcp"
 * import { Agent } from "@grokit/runtime"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const mcp = yield* McpTools.make([
 *     { name: "grokit", prefix: "grok_", command: "npx", args: ["-y", "pnpm@12.4.2", "--silent", "grokit", "mcp"] },
 *     { name: "docs", prefix: "docs_", url: "http://127.0.0.1:3333/mcp" }
 *   ])
 *   const agent = Agent.make({ model: "grok-4.3", toolkit: mcp.toolkit })
 *   return yield* Agent.run(agent, "Which Grok models can I use?").pipe(Effect.provide(mcp.layer))
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  servers: ReadonlyArray<ServerSpec>,
  options?: McpToolsOptions
): Effect.Effect<
  McpTools,
  McpToolsError,
  Scope.Scope | ChildProcessSpawner.ChildProcessSpawner | HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const connectTimeout = options?.connectTimeout ?? Duration.seconds(30)
    const tools: Array<McpTool> = []
    const handlers: Record<string, Handler> = Object.create(null)
    const owners: Record<string, string> = Object.create(null)
    const connected: Array<ConnectedServer> = []
    for (const spec of servers) {
      const name = serverName(spec)
      const prefix = spec.prefix ?? ""
      const client = yield* connect(spec, connectTimeout)
      const descriptors = yield* listTools(client, spec, connectTimeout)
      const names: Array<string> = []
      for (const descriptor of descriptors) {
        const toolName = `${prefix}${descriptor.name}`
        const invalid = checkName(name, prefix, toolName)
        if (invalid !== undefined) return yield* invalid
        if (Object.hasOwn(handlers, toolName)) {
          return yield* new McpToolsError({
            server: name,
            description: `its tool ${toolName} clashes with a tool of ${
              owners[toolName]
            }: give the servers different prefixes`
          })
        }
        tools.push(toolOf(toolName, descriptor))
        owners[toolName] = name
        names.push(toolName)
        handlers[toolName] = handlerOf(client, name, descriptor, options?.callTimeout)
      }
      connected.push({ name, prefix, serverInfo: client.serverInfo, tools: names })
    }
    const toolkit = toolkitOf(tools)
    return {
      toolkit,
      layer: toolkit.toLayer(handlers as never) as Layer.Layer<Tool.HandlersFor<McpToolsRecord>>,
      servers: connected
    }
  })

/**
 * Tools of one server, declared ahead from descriptors you already have (e.g. the server's own
 * exports, or a list saved from `tools/list`), so that an agent can be defined before anything
 * connects. The layer connects when it is built, checks that the server offers each declared tool,
 * and calls the server's own descriptor of it; it disconnects when its scope closes.
 *
 * @example
 * ```ts
 * import { GrokMcpServer, McpTools } from "@grokit/mcp"
 * import { Agent } from "@grokit/runtime"
 *
 * const grokit = McpTools.declare(
 *   { name: "grokit", prefix: "grok_", command: "node_modules/.bin/tsx", args: ["packages/cli/src/bin.ts", "mcp"] },
 *   [GrokMcpServer.listModelsTool, GrokMcpServer.getModelTool]
 * )
 * const agent = Agent.make({ model: "grok-4.3", toolkit: grokit.toolkit })
 * // Agent.run(agent, "...").pipe(Effect.provide(grokit.layer), ...)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const declare = (
  server: ServerSpec,
  tools: ReadonlyArray<McpSchema.Tool>,
  options?: McpToolsOptions
): {
  readonly toolkit: Toolkit.Toolkit<McpToolsRecord>
  readonly layer: Layer.Layer<
    Tool.HandlersFor<McpToolsRecord>,
    McpToolsError,
    ChildProcessSpawner.ChildProcessSpawner | HttpClient.HttpClient
  >
} => {
  const name = serverName(server)
  const prefix = server.prefix ?? ""
  const declared = tools.map((descriptor) => ({ descriptor, toolName: `${prefix}${descriptor.name}` }))
  const toolkit = toolkitOf(declared.map(({ descriptor, toolName }) => toolOf(toolName, descriptor)))
  const layer = Layer.unwrap(Effect.gen(function*() {
    for (const { toolName } of declared) {
      const invalid = checkName(name, prefix, toolName)
      if (invalid !== undefined) return yield* invalid
    }
    const connectTimeout = options?.connectTimeout ?? Duration.seconds(30)
    const client = yield* connect(server, connectTimeout)
    const offered = yield* listTools(client, server, connectTimeout)
    const handlers: Record<string, Handler> = Object.create(null)
    for (const { descriptor, toolName } of declared) {
      const remote = offered.find((candidate) => candidate.name === descriptor.name)
      if (remote === undefined) {
        return yield* new McpToolsError({
          server: name,
          description: `it does not offer the tool ${descriptor.name} (it offers: ${
            offered.map((tool) => tool.name).join(", ") || "none"
          })`
        })
      }
      handlers[toolName] = handlerOf(client, name, remote, options?.callTimeout)
    }
    return toolkit.toLayer(handlers as never) as Layer.Layer<Tool.HandlersFor<McpToolsRecord>>
  }))
  return { toolkit, layer }
}
