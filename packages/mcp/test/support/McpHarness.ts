/**
 * Test support: a mock Grok, the grokit MCP server over stdio (the CLI, spawned) or over HTTP (in
 * this process), and the official TypeScript SDK client connected to it.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { GrokClient, GrokResponses } from "@grokit/core"
import { GrokMcpServer } from "@grokit/mcp"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { NetAddress } from "effect/net"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url))

/** The seed's input schema, as the file says it. */
export const seedSchema = JSON.parse(
  readFileSync(new URL("../../../core/seed/create_chat_completion.input.schema.json", import.meta.url), "utf8")
) as Record<string, unknown>

/** The seed's description: the second line of the seed's tool text. */
export const seedDescription = readFileSync(
  new URL("../../../core/seed/create_chat_completion.tool.txt", import.meta.url),
  "utf8"
).split("\n")[1]!.trim()

/**
 * Spellings that mean the same in JSON Schema (as packages/core/test/CreateChatCompletionInput.test.ts):
 * `required` is a set, `additionalProperties: {}` is the default, key order does not matter.
 */
export const normalize = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(normalize)
  if (typeof node !== "object" || node === null) return node
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(node).sort()) {
    const value = (node as Record<string, unknown>)[key]
    if (
      key === "additionalProperties" && typeof value === "object" && value !== null && Object.keys(value).length === 0
    ) {
      continue
    }
    out[key] = key === "required" && Array.isArray(value) ? [...value].sort() : normalize(value)
  }
  return out
}

export interface Connection {
  readonly client: Client
  readonly close: () => Promise<void>
}

const newClient = () => new Client({ name: "grokit-test", version: "0.0.0" })

/** Spawns `grokit mcp` (stdio) against the mock, and connects the SDK client to it. */
export const connectStdio = async (mockUrl: string): Promise<Connection & { readonly stderr: () => string }> => {
  const transport = new StdioClientTransport({
    command: "node_modules/.bin/tsx",
    args: ["packages/cli/src/bin.ts", "mcp"],
    cwd: repositoryRoot,
    env: { ...process.env as Record<string, string>, XAI_BASE_URL: mockUrl, XAI_API_KEY: "test-key" },
    stderr: "pipe"
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const client = newClient()
  await client.connect(transport)
  return { client, close: () => client.close(), stderr: () => stderr }
}

export interface HttpServerHandle {
  /** The endpoint, e.g. `http://127.0.0.1:43123/mcp`. */
  readonly url: string
  readonly port: number
  readonly hostname: string
  readonly close: () => Promise<void>
}

/** Starts the HTTP transport in this process, its GrokClient and GrokResponses pointed at the mock. */
export const startHttpServer = async (
  mockUrl: string,
  options?: Partial<GrokMcpServer.HttpOptions>
): Promise<HttpServerHandle> => {
  const clientOptions = { apiKey: Redacted.make("test-key"), baseUrl: mockUrl, maxRetries: 0 }
  const grok = Layer.merge(GrokClient.layer(clientOptions), GrokResponses.layer(clientOptions)).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
  const runtime = ManagedRuntime.make(GrokMcpServer.layerHttp({ port: 0, ...options }).pipe(Layer.provide(grok)))
  const address = await runtime.runPromise(Effect.gen(function*() {
    return (yield* HttpServer.HttpServer).address
  }))
  if (address._tag === "UnixPathAddress") throw new Error("expected an internet address")
  const base = HttpServer.formatAddress(address)
  return {
    url: `${base}${options?.path ?? "/mcp"}`,
    port: address.port,
    hostname: NetAddress.formatHost(address),
    close: () => runtime.dispose()
  }
}

/** Connects the SDK client over Streamable HTTP. */
export const connectHttp = async (url: string, headers?: Record<string, string>): Promise<Connection> => {
  const transport = new StreamableHTTPClientTransport(
    new URL(url),
    headers === undefined ? undefined : { requestInit: { headers } }
  )
  const client = newClient()
  await client.connect(transport)
  return {
    client,
    close: async () => {
      await transport.terminateSession().catch(() => undefined)
      await client.close()
    }
  }
}

/** The text of the first content block of a tool result. */
export const firstText = (result: object): string => {
  const content = (result as { readonly content?: unknown }).content as
    | ReadonlyArray<{ readonly type: string; readonly text?: string }>
    | undefined
  const block = content?.[0]
  return block?.type === "text" ? block.text ?? "" : ""
}
