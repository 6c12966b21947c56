/**
 * 07 · MCP tools: an agent whose tools come from an MCP server. Here the server is grokit's own
 * (`grokit mcp`, started as a child process over stdio), and its tools reach the model with the
 * prefix `grok_`: `grok_list_models`, `grok_get_model`. Any MCP server works the same way, by
 * command or by URL, and its tools merge with local ones (`Toolkit.merge(LocalTools,
 * grokit.toolkit)`).
 *
 * `McpTools.declare` takes the tools from descriptors known ahead (here the server's own exports),
 * so the agent is defined before anything connects; the layer starts and connects the server when
 * the run begins, and stops it at the end. To discover a server's tools at run time instead, use
 * `McpTools.make([...servers])` inside an Effect (see `@grokit/mcp`'s README).
 *
 * Run: `npx -y pnpm@12.4.2 grokit run mcp-tools` (offline against the mock, or Grok with XAI_API_KEY;
 * the child server uses the same environment).
 */
import { NodeHttpClient, NodeServices } from "@effect/platform-node"
import { Example } from "@grokit/cli"
import { GrokMcpServer, McpTools } from "@grokit/mcp"
import { MockScript } from "@grokit/mock"
import { Agent } from "@grokit/runtime"
import { Layer } from "effect"
import { fileURLToPath } from "node:url"

const repositoryRoot = fileURLToPath(new URL("../", import.meta.url))

/** grokit's MCP server, as an MCP client's configuration would start it. */
const grokit = McpTools.declare(
  {
    name: "grokit mcp",
    prefix: "grok_",
    command: `${repositoryRoot}node_modules/.bin/tsx`,
    args: [`${repositoryRoot}packages/cli/src/bin.ts`, "mcp"]
  },
  [GrokMcpServer.listModelsTool, GrokMcpServer.getModelTool]
)

export const example = Example.make({
  name: "mcp-tools",
  description: "an agent using the tools of an MCP server (grokit mcp, over stdio)",
  agent: Agent.make({
    model: process.env.GROK_MODEL ?? "grok-4.3",
    instructions: "Answer questions about the available Grok models with the grok_ tools; never guess.",
    toolkit: grokit.toolkit,
    maxSteps: 4
  }),
  input: "Which Grok models can I use, and who owns grok-4.3?",
  // The layer starts the server process; it needs a process spawner (and an HTTP client for URL servers).
  handlers: grokit.layer.pipe(
    Layer.provide(Layer.merge(NodeServices.layer, NodeHttpClient.layerUndici)),
    Layer.orDie
  ),
  mock: {
    script: [
      MockScript.toolCalls([
        { name: "grok_list_models", arguments: {} },
        { name: "grok_get_model", arguments: { model_id: "grok-4.3" } }
      ])
    ]
  }
})

if (import.meta.main) Example.main(example)
