/**
 * The README's "In code" snippets, compiled (and built as values, not launched).
 */
import { NodeHttpClient, NodeStdio } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { GrokClient, GrokResponses } from "@grokit/core"
import { GrokMcpServer } from "@grokit/mcp"
import { Layer } from "effect"

describe("README snippets", () => {
  it("the stdio and HTTP servers are layers over GrokClient and GrokResponses", () => {
    const grok = Layer.merge(GrokClient.layerConfig(), GrokResponses.layerConfig()).pipe(
      Layer.provide(NodeHttpClient.layerUndici)
    )
    const stdio = GrokMcpServer.layerStdio.pipe(Layer.provide([grok, NodeStdio.layer]))
    const http = GrokMcpServer.layerHttp({ port: 3333 }).pipe(Layer.provide(grok))
    assert.isTrue(Layer.isLayer(stdio))
    assert.isTrue(Layer.isLayer(http))
  })
})
