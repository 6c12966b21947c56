/**
 * `ResponsesLoop`: the agent loop on xAI's Responses API, for agents that use server-side tools
 * (`web_search`, `x_search`). xAI runs those tools itself within one model call; the agent's
 * own (local) tools keep working: each `function_call` of a response runs its handler and is
 * answered with one `function_call_output`, in call order, and the loop repeats until the model
 * answers, a stop condition holds, or the step cap is reached.
 *
 * It takes the same agent definition as `Agent.run` (`Agent.make`) and gives the same result,
 * events and guarantees: every function call answered exactly once, failures the model can fix
 * sent back as tool results, failures it cannot fix an `AgentError` carrying the run's state,
 * usage and cost summed over the steps (server-side tool calls counted in
 * `usage.serverSideToolCalls`, billed in the cost). On top, each step records the searches xAI
 * ran (`step.serverToolCalls`), and the answer's `url_citation` annotations become the run's
 * `citations` (URLs) and `sources` (with titles) and `Citation` events, unless `citations` is
 * `false`. A hook on tool results lets local search tools add their entries as citations too.
 *
 * The conversation is kept as chat messages (`AgentState`), and sent as Responses input items:
 * system, user and assistant messages, assistant tool calls as `function_call` items, tool
 * messages as `function_call_output` items. Server-side calls are not replayed: xAI already
 * folded their results into the text that follows them.
 *
 * Not on this path yet: tools that need approval (an `InvalidAgent` error says so), and chat-only
 * request options (penalties, `stop`, `seed`, `logprobs`, `logit_bias`, `search_parameters`),
 * which are refused with `InvalidAgent` rather than dropped.
 *
 * @since 0.1.0
 */
import {
  type CallOptions,
  type ChatMessage,
  GrokError,
  GrokResponses,
  type InputContentPart,
  type InputItem,
  InvalidResponse,
  isTerminalEvent,
  type MessageContent,
  responseFunctionCalls,
  responseReasoning,
  responseServerToolCalls,
  type ResponsesRequest,
  type ResponsesResponse,
  type ResponsesTool,
  type ResponsesToolChoice,
  responseText,
  responseUrlCitations,
  type ServerSideTool,
  StreamError,
  type ToolCall
} from "@grokit/core"
import { Effect, Stream } from "effect"
import type { Tool, Toolkit } from "effect/ai"
import * as Agent from "./Agent.ts"
import { AgentError, InvalidAgent, ModelCallFailed } from "./AgentError.ts"
import type { AgentEvent } from "./AgentEvent.ts"
import type { AgentResult, RunWarning } from "./AgentResult.ts"
import type { AgentState, AgentStep, ServerToolCallRecord, ToolResult } from "./AgentState.ts"
import { type CitationSource, serverOrigin } from "./CitationSource.ts"
import * as LoopCore from "./internal/LoopCore.ts"
import * as ToolExecution from "./internal/ToolExecution.ts"
import * as RunUsage from "./RunUsage.ts"

/**
 * What a local tool result becomes, as a hook decides: the content the model reads instead of
 * the handler's JSON, and the sources it cites.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolResultRewrite {
  /** The text sent to the model for this call (default: the handler's result as JSON). */
  readonly content?: string | undefined
  /** Sources the result cites (adapter entries), added to the run's citations. */
  readonly citations?: ReadonlyArray<{ readonly url: string; readonly title?: string; readonly date?: string }>
}

/**
 * Options of a run on the Responses API.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponsesOptions {
  /** Server-side tools offered on every step, next to the agent's function tools. */
  readonly serverTools?: ReadonlyArray<ServerSideTool> | undefined
  /**
   * `tool_choice` of the first model call of a new run, e.g. `"required"` so that it calls a
   * tool before answering. Later calls use the agent's. (Server-side tools cannot be forced.)
   */
  readonly firstStepToolChoice?: ResponsesToolChoice | undefined
  /** More system instructions, sent after the agent's own on every request (not kept in the state). */
  readonly instructions?: string | undefined
  /** Whether to collect citations (`false`: no `citations`, `sources` or `Citation` events). Default true. */
  readonly citations?: boolean | undefined
  /** Rewrites a local tool result before the model reads it, and adds the sources it cites. */
  readonly onToolResult?: ((result: ToolResult) => ToolResultRewrite | undefined) | undefined
  /** Warnings to report in the result (e.g. the search plan's). */
  readonly warnings?: ReadonlyArray<RunWarning> | undefined
  /** Sent as `prompt_cache_key`, for prompt-cache affinity. */
  readonly conversationId?: string | undefined
}

/**
 * What a run on the Responses API needs: the Responses client and the handlers of the tools.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements<Tools extends Record<string, Tool.Any>> =
  | GrokResponses
  | Tool.HandlersFor<Tools>
  | Tool.HandlerServices<Tools[keyof Tools]>

type Emit = LoopCore.Emit

type ModelCall = LoopCore.ModelCall<GrokResponses["Service"], ResponsesRequest, ResponsesResponse>

/**
 * The call options of a request: the conversation id, and no check after the first request of a
 * run (see `LoopCore.Run.skipsCheck`).
 */
const callOptions = (conversationId: string | undefined, skipsCheck: boolean): CallOptions | undefined =>
  conversationId === undefined
    ? (skipsCheck ? { validate: false } : undefined)
    : skipsCheck
    ? { conversationId, validate: false }
    : { conversationId }

const respondOnce: ModelCall = (client, request, call) => client.createResponse(request, call)

const respondStreaming: ModelCall = (client, request, call, step, emit) =>
  Effect.suspend(() => {
    let final: ResponsesResponse | undefined
    return client.streamResponse(request, call).pipe(
      Stream.runForEach((event) => {
        if (isTerminalEvent(event)) {
          final = event.response
          return Effect.void
        }
        if (emit === undefined) return Effect.void
        if (event.type === "response.output_text.delta") {
          const delta = (event as { readonly delta: string }).delta
          return delta === "" ? Effect.void : emit({ _tag: "TextDelta", step, delta })
        }
        if (event.type === "response.reasoning_summary_text.delta" || event.type === "response.reasoning_text.delta") {
          const delta = (event as { readonly delta: string }).delta
          return delta === "" ? Effect.void : emit({ _tag: "ReasoningDelta", step, delta })
        }
        return Effect.void
      }),
      Effect.flatMap(() =>
        final === undefined
          ? Effect.fail(
            new GrokError({
              method: "streamResponse",
              reason: new StreamError({ kind: "Truncated", description: "the stream ended without its response" })
            })
          )
          : Effect.succeed(final)
      )
    )
  })

// ---------------------------------------------------------------------------------------------
// Mapping the agent onto the Responses request
// ---------------------------------------------------------------------------------------------

const CHAT_ONLY_OPTIONS = [
  "frequency_penalty",
  "presence_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "seed",
  "stop",
  "search_parameters"
] as const

/** The agent's request options as Responses fields, or why they cannot be. */
const requestFields = (
  agent: Agent.Agent<any, any>
): { readonly fields: Partial<ResponsesRequest>; readonly problem?: string } => {
  const options = agent.options.request ?? {}
  const refused = CHAT_ONLY_OPTIONS.filter((field) => options[field] !== undefined)
  if (refused.length > 0) {
    return {
      fields: {},
      problem: `the Responses API has no ${refused.join(", ")}` +
        (refused.includes("search_parameters") ? " (plan search_parameters with @grokit/search's SearchPlan)" : "") +
        "; remove them from the agent's request options"
    }
  }
  const fields: { -readonly [K in keyof ResponsesRequest]?: ResponsesRequest[K] } = {}
  const maxTokens = options.max_completion_tokens ?? options.max_tokens
  if (maxTokens !== undefined) fields.max_output_tokens = maxTokens
  if (options.parallel_tool_calls !== undefined) fields.parallel_tool_calls = options.parallel_tool_calls
  if (options.temperature !== undefined) fields.temperature = options.temperature
  if (options.top_p !== undefined) fields.top_p = options.top_p
  if (options.user !== undefined) fields.user = options.user
  if (options.reasoning_effort !== undefined) fields.reasoning = { effort: options.reasoning_effort }
  const choice = options.tool_choice
  if (choice !== undefined) {
    fields.tool_choice = typeof choice === "string" ? choice : { type: "function", name: choice.function.name }
  }
  const format = agent.responseFormat
  if (format !== undefined) {
    fields.text = {
      format: format.type === "json_schema"
        ? {
          type: "json_schema",
          name: format.json_schema.name,
          schema: format.json_schema.schema ?? {},
          ...(format.json_schema.description === undefined ? {} : { description: format.json_schema.description }),
          ...(format.json_schema.strict === undefined ? {} : { strict: format.json_schema.strict })
        }
        : format
    }
  }
  return { fields }
}

const contentText = (content: MessageContent | null | undefined): string => {
  if (content == null) return ""
  if (typeof content === "string") return content
  return content.flatMap((part) => part.type === "text" ? [part.text] : []).join("\n")
}

const inputContent = (content: MessageContent): string | Array<InputContentPart> =>
  typeof content === "string"
    ? content
    : content.map((part): InputContentPart =>
      part.type === "text"
        ? { type: "input_text", text: part.text }
        : {
          type: "input_image",
          image_url: part.image_url.url,
          ...(part.image_url.detail === undefined ? {} : { detail: part.image_url.detail })
        }
    )

/**
 * The conversation as Responses input items: messages keep their role; an assistant's tool
 * calls become `function_call` items and tool messages `function_call_output` items.
 *
 * @example
 * ```ts
 * ResponsesLoop.toInputItems([
 *   { role: "user", content: "Weather in Paris?" },
 *   { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
 *   { role: "tool", tool_call_id: "call_1", content: "{\"celsius\":18}" }
 * ])
 * // => [{ role: "user", ... }, { type: "function_call", call_id: "call_1", ... }, { type: "function_call_output", call_id: "call_1", ... }]
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toInputItems = (messages: ReadonlyArray<ChatMessage>): Array<InputItem> => {
  const items: Array<InputItem> = []
  for (const message of messages) {
    switch (message.role) {
      case "system":
      case "user":
        items.push({ role: message.role, content: inputContent(message.content) })
        break
      case "assistant": {
        const text = contentText(message.content)
        if (text !== "") items.push({ role: "assistant", content: text })
        for (const call of message.tool_calls ?? []) {
          items.push({
            type: "function_call",
            id: call.id,
            call_id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
            status: "completed"
          })
        }
        break
      }
      case "tool":
        items.push({
          type: "function_call_output",
          call_id: message.tool_call_id,
          output: contentText(message.content)
        })
        break
    }
  }
  return items
}

const withInstructions = (items: Array<InputItem>, instructions: string | undefined): Array<InputItem> => {
  if (instructions === undefined || instructions === "") return items
  let index = 0
  while (index < items.length && "role" in items[index]! && (items[index] as { role: string }).role === "system") {
    index++
  }
  return [...items.slice(0, index), { role: "system", content: instructions }, ...items.slice(index)]
}

const finishReason = (response: ResponsesResponse, toolCalls: number): string => {
  if (response.status === "incomplete") {
    const reason = response.incomplete_details?.reason ?? "incomplete"
    return reason === "max_output_tokens" ? "length" : reason
  }
  return toolCalls > 0 ? "tool_calls" : "stop"
}

const emptyToolkit = { tools: {} } as unknown as Toolkit.Toolkit<any>

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

const drive = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent.Agent<Tools, Output>,
  start: AgentState,
  callModel: ModelCall,
  emit: Emit,
  responsesOptions: ResponsesOptions | undefined
): Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>> =>
  Effect.gen(function*() {
    const options = agent.options
    const settings = responsesOptions ?? {}
    const collectCitations = settings.citations ?? true
    const warnings = settings.warnings ?? []
    const sources: Array<CitationSource> = [...(start.sources ?? [])]
    const loop = new LoopCore.Run<Output>(options, start, emit, sources, (state) => ({
      ...(sources.length === 0 ? {} : { sources: state.sources }),
      ...(warnings.length === 0 ? {} : { warnings })
    }))
    const { citations, messages, steps } = loop

    const tools = (options.toolkit ?? emptyToolkit).tools as Record<string, Tool.Any>
    const needingApproval = Object.values(tools).filter((tool) =>
      tool.needsApproval !== undefined && tool.needsApproval !== false
    )
    const mapped = requestFields(agent)
    const problem = agent.problem ?? mapped.problem ??
      (needingApproval.length > 0
        ? `tool ${needingApproval[0]!.name} needs approval, which the Responses path does not support yet`
        : start.pending.length > 0
        ? "the state has tool calls waiting for approval, which the Responses path does not support yet"
        : undefined)
    if (problem !== undefined) return yield* loop.failWith(new InvalidAgent({ description: problem }))

    const client = yield* GrokResponses
    const toolkit: Toolkit.WithHandler<any> = options.toolkit === undefined
      ? { tools: {} } as unknown as Toolkit.WithHandler<any>
      : yield* (options.toolkit as unknown as Effect.Effect<Toolkit.WithHandler<any>>)
    const wireTools: Array<ResponsesTool> = [
      ...agent.wireTools.map((tool): ResponsesTool => ({
        type: "function",
        name: tool.function.name,
        ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
        ...(tool.function.parameters === undefined ? {} : { parameters: tool.function.parameters })
      })),
      ...(settings.serverTools ?? [])
    ]
    const requestedChoice = mapped.fields.tool_choice
    const forcesTools = LoopCore.forcesTools(options, requestedChoice)
    const firstCall = steps.length === 0

    const addCitation = (source: CitationSource): Effect.Effect<void> => {
      if (!collectCitations || citations.includes(source.url)) return Effect.void
      citations.push(source.url)
      sources.push(source)
      return emit === undefined ? Effect.void : emit({ _tag: "Citation", ...source })
    }

    /** The sources each rewritten result cites, by tool call id, until they are added after its event. */
    const citedBy = new Map<string, NonNullable<ToolResultRewrite["citations"]>>()
    const execute = (call: ToolCall) =>
      Effect.map(ToolExecution.execute(toolkit, call, loop.execution), (executed): ToolResult => {
        const rewrite = settings.onToolResult?.(executed)
        if (rewrite?.citations !== undefined) citedBy.set(call.id, rewrite.citations)
        return rewrite?.content === undefined
          ? executed
          : { ...executed, content: ToolExecution.capContent(rewrite.content, loop.execution.maxOutputBytes).content }
      })
    const addCitations = (toolResult: ToolResult) => {
      const entries = citedBy.get(toolResult.toolCallId) ?? []
      citedBy.delete(toolResult.toolCallId)
      return Effect.forEach(entries, (entry) =>
        addCitation({
          url: entry.url,
          ...(entry.title === undefined ? {} : { title: entry.title }),
          ...(entry.date === undefined ? {} : { date: entry.date }),
          origin: "tool",
          tool: toolResult.name
        }), { discard: true })
    }
    const noRejections: ReadonlyMap<string, string> = new Map()

    while (true) {
      const stepIndex = steps.length
      const atCap = yield* loop.atCap(options.onMaxSteps)
      const toolChoice: ResponsesToolChoice | undefined = atCap
        ? "none"
        : firstCall && stepIndex === 0 && settings.firstStepToolChoice !== undefined
        ? settings.firstStepToolChoice
        : forcesTools && loop.toolsCalled.length > 0
        ? "auto"
        : requestedChoice
      const request: ResponsesRequest = {
        ...mapped.fields,
        model: options.model,
        input: withInstructions(toInputItems(messages), settings.instructions),
        ...(wireTools.length === 0 ? {} : { tools: wireTools }),
        ...(toolChoice === undefined ? {} : { tool_choice: toolChoice })
      }
      if (emit !== undefined) yield* emit({ _tag: "StepStart", step: stepIndex })
      const call = callOptions(settings.conversationId, loop.skipsCheck())
      const response = yield* callModel(client, request, call, stepIndex, emit).pipe(
        Effect.catch((error) => {
          loop.chargeFailedCall(undefined)
          return loop.failWith(new ModelCallFailed({ error }))
        })
      )
      const stepUsage = RunUsage.fromResponsesUsage(response.usage)
      loop.usage = RunUsage.add(loop.usage, stepUsage)
      if (response.status === "failed") {
        return yield* loop.failWith(
          new ModelCallFailed({
            error: new GrokError({
              method: "agent",
              reason: new InvalidResponse({
                description: `the response failed: ${response.error?.message ?? "no reason given"}`,
                issues: []
              })
            })
          })
        )
      }
      for (const citation of responseUrlCitations(response)) {
        yield* addCitation({
          url: citation.url,
          ...(citation.title == null || citation.title === "" ? {} : { title: citation.title }),
          origin: serverOrigin(citation.url)
        })
      }
      const text = responseText(response)
      const reasoning = responseReasoning(response)
      const toolCalls = atCap ? [] : loop.normalize(
        responseFunctionCalls(response).map((call) => ({
          id: call.call_id,
          name: call.name,
          arguments: call.arguments
        })),
        stepIndex
      )
      const serverToolCalls: Array<ServerToolCallRecord> = responseServerToolCalls(response).map((call) => ({
        type: call.type,
        ...(call.name == null ? {} : { name: call.name }),
        ...(call.arguments == null ? {} : { arguments: call.arguments }),
        ...(call.status == null ? {} : { status: call.status })
      }))
      const step: AgentStep = {
        index: stepIndex,
        text,
        ...(reasoning === undefined ? {} : { reasoning }),
        toolCalls,
        toolResults: [],
        finishReason: finishReason(response, toolCalls.length),
        usage: stepUsage,
        ...(serverToolCalls.length === 0 ? {} : { serverToolCalls })
      }
      messages.push(LoopCore.assistantMessage(text, toolCalls))

      if (toolCalls.length === 0) return yield* loop.finishAnswer(step, atCap, agent.decodeOutput)

      yield* loop.emitToolCalls(toolCalls, stepIndex)
      const results = yield* loop.runTools(toolCalls, stepIndex, noRejections, execute, addCitations)
      const stopped = yield* loop.finishToolStep(step, results)
      if (stopped !== undefined) return stopped
    }
  }) as Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>>

/**
 * Runs an agent on the Responses API to its end: the answer, every step (with the searches xAI
 * ran), usage and cost, citations.
 *
 * @example
 * ```ts
 * import { Agent, ResponsesLoop } from "@grokit/runtime"
 *
 * const agent = Agent.make({ model: "grok-4.3", instructions: "Cite your sources." })
 * const program = ResponsesLoop.run(agent, "What changed in xAI's API this month?", {
 *   serverTools: [{ type: "web_search" }, { type: "x_search", allowed_x_handles: ["xai"] }]
 * })
 * // provide GrokResponses (e.g. GrokResponses.layerConfig()) and the tool handlers
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent.Agent<Tools, Output>,
  input: string | ReadonlyArray<ChatMessage>,
  options?: ResponsesOptions
): Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>> =>
  drive(agent, Agent.initialState(agent, input), respondOnce, undefined, options)

/**
 * Continues a completed run from its state with more messages (e.g. the user's next question).
 *
 * @since 0.1.0
 * @category running
 */
export const continueRun = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent.Agent<Tools, Output>,
  state: AgentState,
  input: string | ReadonlyArray<ChatMessage>,
  options?: ResponsesOptions
): Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>> =>
  drive(
    agent,
    {
      ...state,
      messages: [
        ...state.messages,
        ...(typeof input === "string" ? [{ role: "user" as const, content: input }] : input)
      ]
    },
    respondOnce,
    undefined,
    options
  )

/**
 * Runs an agent on the Responses API as a stream of events: text and reasoning deltas, tool
 * calls and results, step ends with usage, citations (with title and origin), and the finish
 * with the result `run` returns.
 *
 * @since 0.1.0
 * @category running
 */
export const stream = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent.Agent<Tools, Output>,
  input: string | ReadonlyArray<ChatMessage>,
  options?: ResponsesOptions
): Stream.Stream<AgentEvent<Output>, AgentError, Requirements<Tools>> =>
  LoopCore.eventStream((emit) => drive(agent, Agent.initialState(agent, input), respondStreaming, emit, options))
