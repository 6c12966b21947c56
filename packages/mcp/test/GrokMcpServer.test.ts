/**
 * The grokit MCP server, driven by the official TypeScript SDK client over stdio (the CLI,
 * spawned) and over Streamable HTTP, against a mock Grok.
 */
import { assert, describe, it } from "@effect/vitest"
import { type ClosableMockServer, startMockServer } from "@grokit/mock"
import { McpError } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll } from "vitest"
import {
  connectHttp,
  type Connection,
  connectStdio,
  firstText,
  type HttpServerHandle,
  normalize,
  seedDescription,
  seedSchema,
  startHttpServer
} from "./support/McpHarness.ts"

interface Structured {
  readonly id: string
  readonly model: string
  readonly choices: ReadonlyArray<{
    readonly index: number
    readonly finish_reason: string | null
    readonly message: {
      readonly role: string
      readonly content?: string | null
      readonly tool_calls?: ReadonlyArray<
        { readonly id: string; readonly function: { name: string; arguments: string } }
      >
    }
  }>
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number }
  readonly cost_in_usd: number | null
  readonly citations: ReadonlyArray<string>
}

interface ErrorStructured {
  readonly error: {
    readonly reason: string
    readonly message: string
    readonly retryable: boolean
    readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>
  }
}

const user = (content: string) => [{ role: "user", content }]

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
  }
}

/** Arguments each refused with a tool error, and what the error text must say. */
const invalidInputs: ReadonlyArray<
  { readonly name: string; readonly args: Record<string, unknown>; readonly says: ReadonlyArray<string> }
> = [
  { name: "no model", args: { messages: user("hi") }, says: ["model: is required"] },
  { name: "no messages", args: { model: "grok-4.3" }, says: ["messages: is required"] },
  {
    name: "temperature above 2",
    args: { model: "grok-4.3", messages: user("hi"), temperature: 3 },
    says: ["temperature: expected a value between 0 and 2, got 3"]
  },
  { name: "top_p above 1", args: { model: "grok-4.3", messages: user("hi"), top_p: 1.5 }, says: ["top_p", "1.5"] },
  { name: "n of 0", args: { model: "grok-4.3", messages: user("hi"), n: 0 }, says: ["n: ", "0"] },
  {
    name: "negative max_tokens",
    args: { model: "grok-4.3", messages: user("hi"), max_tokens: -5 },
    says: ["max_tokens"]
  },
  {
    name: "seed not an integer",
    args: { model: "grok-4.3", messages: user("hi"), seed: 1.5 },
    says: ["seed", "integer"]
  },
  {
    name: "unknown field",
    args: { model: "grok-4.3", messages: user("hi"), colour: "blue" },
    says: ["colour", "not a known field"]
  },
  {
    name: "unknown role",
    args: { model: "grok-4.3", messages: [{ role: "robot", content: "hi" }] },
    says: ["messages[0].role"]
  },
  {
    name: "content of the wrong type",
    args: { model: "grok-4.3", messages: [{ role: "user", content: 5 }] },
    says: ["messages[0].content"]
  },
  {
    name: "unknown response format",
    args: { model: "grok-4.3", messages: user("hi"), response_format: { type: "xml" } },
    says: ["response_format.type"]
  },
  {
    name: "frequency_penalty below -2",
    args: { model: "grok-4.3", messages: user("hi"), frequency_penalty: -3 },
    says: ["frequency_penalty: expected a value between -2 and 2, got -3"]
  },
  {
    name: "search_parameters with a sixth excluded website",
    args: {
      model: "grok-4.3",
      messages: user("news?"),
      search_parameters: {
        sources: [{ type: "web", excluded_websites: ["a.com", "b.com", "c.com", "d.com", "e.com", "f.com"] }]
      }
    },
    says: ["search_parameters.sources[0].excluded_websites", "at most 5"]
  },
  {
    name: "search_parameters with a 3-letter country",
    args: {
      model: "grok-4.3",
      messages: user("news?"),
      search_parameters: { sources: [{ type: "news", country: "FRA" }] }
    },
    says: ["search_parameters.sources[0].country", "two characters", "FRA"]
  },
  {
    name: "search_parameters with an rss source without links",
    args: { model: "grok-4.3", messages: user("news?"), search_parameters: { sources: [{ type: "rss" }] } },
    says: ["search_parameters.sources[0].links: is required"]
  },
  {
    name: "search_parameters with an rss source with an empty list of links",
    args: { model: "grok-4.3", messages: user("news?"), search_parameters: { sources: [{ type: "rss", links: [] }] } },
    says: ["search_parameters.sources[0].links", "at least one feed link"]
  },
  {
    name: "a tool message (no tool_call_id in the seed)",
    args: { model: "grok-4.3", messages: [{ role: "tool", content: "21C" }] },
    says: ["messages[0]", "tool_call_id"]
  },
  {
    name: "name on a system message",
    args: { model: "grok-4.3", messages: [{ role: "system", content: "Be brief.", name: "boss" }, ...user("hi")] },
    says: ["messages[0].name", "only on user messages"]
  },
  {
    name: "a tool that is not a function",
    args: { model: "grok-4.3", messages: user("hi"), tools: [{ type: "live_search", function: { name: "x" } }] },
    says: ["tools[0].type", "function"]
  },
  {
    name: "an unknown model (the API's 404)",
    args: { model: "grok-nope", messages: user("hi") },
    says: ["grok-nope", "404", "list_models"]
  },
  {
    name: "a penalty on a reasoning model",
    args: { model: "grok-4.20-0309-reasoning", messages: user("hi"), presence_penalty: 1 },
    says: ["grok-4.20-0309-reasoning", "presence_penalty", "Remove"]
  }
]

const transports: ReadonlyArray<{
  readonly name: string
  readonly connect: (mock: ClosableMockServer) => Promise<Connection & { readonly cleanup?: () => Promise<void> }>
}> = [
  { name: "stdio", connect: (mock) => connectStdio(mock.url) },
  {
    name: "Streamable HTTP",
    connect: async (mock) => {
      const server: HttpServerHandle = await startHttpServer(mock.url)
      const connection = await connectHttp(server.url)
      return { ...connection, cleanup: server.close }
    }
  }
]

for (const transport of transports) {
  describe(`grokit MCP server over ${transport.name}, with the official SDK client`, () => {
    let mock: ClosableMockServer
    let connection: Connection & { readonly cleanup?: () => Promise<void> }

    beforeAll(async () => {
      mock = await startMockServer({ record: false })
      connection = await transport.connect(mock)
    }, 30_000)

    afterAll(async () => {
      await connection?.close()
      await connection?.cleanup?.()
      await mock?.close()
    })

    const call = (name: string, args: Record<string, unknown>) => connection.client.callTool({ name, arguments: args })

    it("initializes: server info, instructions, tools capability", () => {
      const client = connection.client
      assert.deepStrictEqual(client.getServerVersion(), { name: "grokit", version: "0.1.0" })
      assert.isDefined(client.getServerCapabilities()?.tools)
      assert.include(client.getInstructions() ?? "", "create_chat_completion")
    })

    it("lists the three tools; create_chat_completion has the seed's description and input schema", async () => {
      const { tools } = await connection.client.listTools()
      assert.deepStrictEqual(tools.map((tool) => tool.name).sort(), [
        "create_chat_completion",
        "get_model",
        "list_models"
      ])
      const tool = tools.find((candidate) => candidate.name === "create_chat_completion")!
      assert.strictEqual(tool.description, seedDescription)
      assert.deepStrictEqual(normalize(tool.inputSchema), normalize(seedSchema))
      const getModel = tools.find((candidate) => candidate.name === "get_model")!
      assert.deepStrictEqual(getModel.inputSchema.required, ["model_id"])
    })

    it("answers a plain call: text content, and the whole completion as structured content", async () => {
      const result = await call("create_chat_completion", { model: "grok-4.3", messages: user("Hello MCP") })
      assert.notStrictEqual(result.isError, true)
      assert.strictEqual(firstText(result), "You said: Hello MCP")
      const structured = result.structuredContent as unknown as Structured
      assert.strictEqual(structured.model, "grok-4.3")
      assert.strictEqual(structured.choices[0]!.message.content, "You said: Hello MCP")
      assert.strictEqual(structured.choices[0]!.finish_reason, "stop")
      assert.isAbove(structured.usage.total_tokens, 0)
      assert.isNumber(structured.cost_in_usd)
      assert.isAbove(structured.cost_in_usd!, 0)
      assert.deepStrictEqual(structured.citations, [])
    })

    it("answers with a tool call: the call in the structured content, and named in the text", async () => {
      const result = await call("create_chat_completion", {
        model: "grok-4.3",
        messages: user("What is the weather in Paris? Use get_weather."),
        tools: [weatherTool],
        tool_choice: "auto"
      })
      assert.notStrictEqual(result.isError, true)
      const choice = (result.structuredContent as unknown as Structured).choices[0]!
      assert.strictEqual(choice.finish_reason, "tool_calls")
      const calls = choice.message.tool_calls ?? []
      assert.strictEqual(calls.length, 1)
      assert.strictEqual(calls[0]!.function.name, "get_weather")
      assert.deepStrictEqual(JSON.parse(calls[0]!.function.arguments), { city: "Paris" })
      assert.include(firstText(result), "get_weather")
      assert.include(firstText(result), calls[0]!.id)
    })

    it("streams: progress notifications with each delta, and the same final result", async () => {
      const args = { model: "grok-4.3", messages: user("one two three four five") }
      const plain = await call("create_chat_completion", args)
      const progress: Array<{ progress: number; message?: string | undefined }> = []
      const streamed = await connection.client.callTool(
        { name: "create_chat_completion", arguments: { ...args, stream: true } },
        undefined,
        { onprogress: (notification) => progress.push(notification) }
      )
      assert.notStrictEqual(streamed.isError, true)
      assert.isAtLeast(progress.length, 5)
      assert.deepStrictEqual(progress.map((entry) => entry.progress), progress.map((_, index) => index + 1))
      assert.strictEqual(progress.map((entry) => entry.message).join(""), "You said: one two three four five")
      assert.deepStrictEqual(streamed.content, plain.content)
      const streamedChoices = (streamed.structuredContent as unknown as Structured).choices
      const plainChoices = (plain.structuredContent as unknown as Structured).choices
      assert.deepStrictEqual(
        streamedChoices.map((choice) => [choice.message.content, choice.finish_reason]),
        plainChoices.map((choice) => [choice.message.content, choice.finish_reason])
      )
      assert.deepStrictEqual(
        (streamed.structuredContent as unknown as Structured).usage.total_tokens,
        (plain.structuredContent as unknown as Structured).usage.total_tokens
      )
    })

    it("streams without a progress token too, with the same final result", async () => {
      const result = await call("create_chat_completion", { model: "grok-4.3", messages: user("quiet"), stream: true })
      assert.strictEqual(firstText(result), "You said: quiet")
    })

    it("searches with search_parameters: web_search on the Responses API, with citations and warnings", async () => {
      const result = await call("create_chat_completion", {
        model: "grok-4.3",
        messages: user("solar energy record"),
        search_parameters: { sources: [{ type: "web", safe_search: true }] }
      })
      assert.notStrictEqual(result.isError, true, firstText(result))
      assert.include(firstText(result), "Solar output hits a record in Europe")
      const structured = result.structuredContent as {
        readonly answer: string
        readonly citations: ReadonlyArray<{ readonly url: string; readonly origin: string }>
        readonly warnings: ReadonlyArray<{ readonly setting: string }>
      }
      assert.strictEqual(structured.answer, firstText(result))
      assert.deepInclude(structured.citations.map((citation) => [citation.url, citation.origin]), [
        "https://news.example.com/2026/10/12/solar-record-europe",
        "web_search"
      ])
      assert.deepStrictEqual(structured.warnings.map((warning) => warning.setting), [
        "search_parameters.sources[0].safe_search"
      ])
    })

    describe(`refuses ${invalidInputs.length} invalid inputs, each with a tool error that says what to change`, () => {
      for (const input of invalidInputs) {
        it(input.name, async () => {
          const result = await call("create_chat_completion", input.args)
          assert.strictEqual(result.isError, true)
          const text = firstText(result)
          for (const fragment of input.says) assert.include(text, fragment)
          const error = (result.structuredContent as unknown as ErrorStructured).error
          assert.strictEqual(error.message, text)
          assert.isFalse(error.retryable)
        })
      }
    })

    it("list_models lists the models", async () => {
      const result = await call("list_models", {})
      assert.notStrictEqual(result.isError, true)
      assert.include(firstText(result), "grok-4.3")
      const data = (result.structuredContent as { data: ReadonlyArray<{ id: string }> }).data
      assert.include(data.map((model) => model.id), "grok-4.20-0309-reasoning")
    })

    it("get_model gets one model, and says what is wrong with bad arguments", async () => {
      const result = await call("get_model", { model_id: "grok-4.3" })
      assert.notStrictEqual(result.isError, true)
      assert.strictEqual((result.structuredContent as { id: string }).id, "grok-4.3")
      const missing = await call("get_model", {})
      assert.strictEqual(missing.isError, true)
      assert.include(firstText(missing), "model_id: is required")
      const empty = await call("get_model", { model_id: "" })
      assert.strictEqual(empty.isError, true)
      assert.include(firstText(empty), "model_id")
      const unknown = await call("get_model", { model_id: "grok-nope" })
      assert.strictEqual(unknown.isError, true)
      assert.include(firstText(unknown), "404")
      const extra = await call("list_models", { verbose: true })
      assert.strictEqual(extra.isError, true)
      assert.include(firstText(extra), "verbose")
    })

    it("answers an unknown tool with JSON-RPC error -32602", async () => {
      const error = await call("no_such_tool", {}).then(() => undefined, (cause: unknown) => cause)
      assert.instanceOf(error, McpError)
      assert.strictEqual((error as McpError).code, -32602)
      assert.include((error as McpError).message, "no_such_tool")
    })
  })
}
