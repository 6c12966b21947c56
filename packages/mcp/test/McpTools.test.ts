/**
 * Agents using the tools of MCP servers: our own server over Streamable HTTP and over stdio (the
 * CLI, spawned), with name prefixes, merged with local tools, tool errors going back to the model.
 */
import { NodeHttpClient, NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { GrokClient } from "@grokit/core"
import { GrokMcpServer, McpTools } from "@grokit/mcp"
import { type ClosableMockServer, MockScript, startMockServer } from "@grokit/mock"
import { Agent } from "@grokit/runtime"
import { Effect, Layer, Redacted, Schema, type Scope } from "effect"
import { McpSchema, Tool, Toolkit } from "effect/ai"
import type { HttpClient } from "effect/http"
import { afterAll, beforeAll } from "vitest"
import { type HttpServerHandle, repositoryRoot, startHttpServer } from "./support/McpHarness.ts"

const Shout = Tool.make("shout", {
  description: "Upper-cases a text",
  parameters: Schema.Struct({ text: Schema.String }),
  success: Schema.String
})
const LocalTools = Toolkit.make(Shout)
const LocalToolsLayer = LocalTools.toLayer({ shout: ({ text }) => Effect.succeed(text.toUpperCase()) })

describe("McpTools", () => {
  let mock: ClosableMockServer
  let server: HttpServerHandle

  beforeAll(async () => {
    mock = await startMockServer({ record: false })
    server = await startHttpServer(mock.url)
  }, 30_000)

  afterAll(async () => {
    await server?.close()
    await mock?.close()
  })

  const run = <A, E>(
    effect: Effect.Effect<A, E, GrokClient | NodeServices.NodeServices | HttpClient.HttpClient | Scope.Scope>
  ): Promise<A> =>
    Effect.runPromise(
      effect.pipe(
        Effect.scoped,
        Effect.provide(
          Layer.mergeAll(
            GrokClient.layer({ apiKey: Redacted.make("test-key"), baseUrl: mock.url, maxRetries: 0 }),
            NodeServices.layer
          ).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))
        )
      )
    )

  it("offers a server's tools with its prefix, and an agent calls them", async () => {
    mock.enqueue(MockScript.toolCall("grok_list_models", {}))
    const result = await run(Effect.gen(function*() {
      const mcp = yield* McpTools.make([{ name: "grokit", prefix: "grok_", url: server.url }])
      assert.deepStrictEqual(Object.keys(mcp.toolkit.tools).sort(), [
        "grok_create_chat_completion",
        "grok_get_model",
        "grok_list_models"
      ])
      assert.deepStrictEqual(mcp.servers.map((entry) => [entry.name, entry.serverInfo?.name]), [["grokit", "grokit"]])
      const agent = Agent.make({ model: "grok-4.3", toolkit: mcp.toolkit })
      return yield* Agent.run(agent, "Which models are there?").pipe(Effect.provide(mcp.layer))
    }))
    assert.strictEqual(result.status, "completed")
    const toolResult = result.steps[0]!.toolResults[0]!
    assert.strictEqual(toolResult.name, "grok_list_models")
    assert.isFalse(toolResult.isFailure)
    assert.include(toolResult.content, "grok-4.3")
    assert.include(result.status === "completed" ? result.text : "", "grok-4.3")
  })

  it("sends a tool error back to the model as a failed tool result with the server's text", async () => {
    mock.enqueue(MockScript.toolCall("grok_get_model", { model_id: "" }))
    const result = await run(Effect.gen(function*() {
      const mcp = yield* McpTools.make([{ prefix: "grok_", url: server.url }])
      const agent = Agent.make({ model: "grok-4.3", toolkit: mcp.toolkit })
      return yield* Agent.run(agent, "Get the model").pipe(Effect.provide(mcp.layer))
    }))
    const toolResult = result.steps[0]!.toolResults[0]!
    assert.isTrue(toolResult.isFailure)
    assert.include(toolResult.content, "model_id")
    assert.strictEqual(result.status, "completed")
  })

  it("merges with local tools: one step calls both, results in call order", async () => {
    mock.enqueue(MockScript.toolCalls([
      { name: "shout", arguments: { text: "hello" } },
      { name: "grok_get_model", arguments: { model_id: "grok-4.3" } }
    ]))
    const result = await run(Effect.gen(function*() {
      const mcp = yield* McpTools.make([{ prefix: "grok_", url: server.url }])
      const agent = Agent.make({ model: "grok-4.3", toolkit: Toolkit.merge(LocalTools, mcp.toolkit) })
      return yield* Agent.run(agent, "Shout hello and get grok-4.3").pipe(
        Effect.provide(Layer.merge(mcp.layer, LocalToolsLayer))
      )
    }))
    const results = result.steps[0]!.toolResults
    assert.deepStrictEqual(results.map((entry) => entry.name), ["shout", "grok_get_model"])
    assert.strictEqual(results[0]!.content, "HELLO")
    assert.include(results[1]!.content, "grok-4.3")
  })

  it("refuses two servers whose tools clash, saying to set prefixes", async () => {
    const error = await run(
      McpTools.make([{ name: "one", url: server.url }, { name: "two", url: server.url }]).pipe(Effect.flip)
    )
    assert.strictEqual(error._tag, "McpToolsError")
    assert.strictEqual(error.server, "two")
    assert.include(error.message, "clashes with a tool of one")
    assert.include(error.message, "prefixes")
  })

  it("refuses a prefix that makes names Grok cannot take", async () => {
    const error = await run(McpTools.make([{ prefix: "a prefix with spaces ", url: server.url }]).pipe(Effect.flip))
    assert.include(error.message, "not a name Grok accepts")
  })

  it("says which server cannot be reached", async () => {
    const error = await run(
      McpTools.make([{ name: "gone", url: "http://127.0.0.1:9/mcp" }], { connectTimeout: "5 seconds" }).pipe(
        Effect.flip
      )
    )
    assert.strictEqual(error.server, "gone")
    assert.include(error.message, "cannot connect")
  })

  it("declare: an agent defined before connecting; the layer connects and calls the server", async () => {
    const grokit = McpTools.declare({ name: "grokit", prefix: "grok_", url: server.url }, [
      GrokMcpServer.listModelsTool,
      GrokMcpServer.getModelTool
    ])
    const agent = Agent.make({ model: "grok-4.3", toolkit: grokit.toolkit })
    assert.deepStrictEqual(agent.wireTools.map((tool) => tool.function.name), ["grok_list_models", "grok_get_model"])
    assert.deepStrictEqual(agent.wireTools[1]!.function.parameters as unknown, GrokMcpServer.getModelTool.inputSchema)
    mock.enqueue(MockScript.toolCall("grok_get_model", { model_id: "grok-4.3" }))
    const result = await run(Agent.run(agent, "Tell me about grok-4.3").pipe(Effect.provide(grokit.layer)))
    assert.include(result.steps[0]!.toolResults[0]!.content, "grok-4.3")
  })

  it("declare: the layer fails when the server does not offer a declared tool", async () => {
    const missing = new McpSchema.Tool({ name: "no_such_tool", inputSchema: { type: "object" } })
    const declared = McpTools.declare({ name: "grokit", url: server.url }, [missing])
    const error = await run(Layer.build(declared.layer).pipe(Effect.flip))
    assert.include(error.message, "does not offer the tool no_such_tool")
    assert.include(error.message, "list_models")
  })

  it("starts a command server over stdio (grokit mcp) and uses its tools", async () => {
    mock.enqueue(MockScript.toolCall("g_get_model", { model_id: "grok-4.3" }))
    const result = await run(Effect.gen(function*() {
      const mcp = yield* McpTools.make([{
        name: "grokit (stdio)",
        prefix: "g_",
        command: "node_modules/.bin/tsx",
        args: ["packages/cli/src/bin.ts", "mcp"],
        cwd: repositoryRoot,
        env: { XAI_BASE_URL: mock.url, XAI_API_KEY: "test-key" }
      }])
      assert.deepStrictEqual(mcp.servers[0]!.tools.slice().sort(), [
        "g_create_chat_completion",
        "g_get_model",
        "g_list_models"
      ])
      const agent = Agent.make({ model: "grok-4.3", toolkit: mcp.toolkit })
      return yield* Agent.run(agent, "Tell me about grok-4.3").pipe(Effect.provide(mcp.layer))
    }))
    const toolResult = result.steps[0]!.toolResults[0]!
    assert.strictEqual(toolResult.name, "g_get_model")
    assert.isFalse(toolResult.isFailure)
    assert.include(toolResult.content, "grok-4.3")
  }, 30_000)
})
