/**
 * `Agent`: the tool-call loop on Grok. An agent sends the conversation, reads the assistant's
 * message, runs the handlers of the tools it calls (bounded concurrency, a timeout each), appends
 * one tool message per call in call order, and repeats until the model answers, a stop condition
 * holds, or the step cap is reached.
 *
 * Failures the model can fix go back to it as tool results (unknown tool, invalid JSON, arguments
 * failing the Schema, handler failure, timeout; outputs over the cap are cut with a marker).
 * Failures it cannot fix are an `AgentError` that carries the transcript and the usage so far.
 * Every assistant tool call is answered exactly once.
 *
 * Tools are effect/ai `Tool.make` definitions in a `Toolkit`, with handlers from its layer.
 *
 * @since 0.1.0
 */
import {
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionRequest,
  type ChatMessage,
  type ChatTool,
  GrokClient,
  GrokError,
  InvalidResponse,
  MAX_TOOLS,
  type ToolCall
} from "@grokit/core"
import { Duration, Effect, Schema, Stream } from "effect"
import { Tool, Toolkit } from "effect/ai"
import { AgentError, InvalidAgent, InvalidResume, ModelCallFailed } from "./AgentError.ts"
import type { AgentEvent } from "./AgentEvent.ts"
import type { AgentResult, PendingApproval } from "./AgentResult.ts"
import type { AgentState, AgentStep } from "./AgentState.ts"
import * as LoopCore from "./internal/LoopCore.ts"
import * as ToolExecution from "./internal/ToolExecution.ts"
import * as RunUsage from "./RunUsage.ts"
import * as StopCondition from "./StopCondition.ts"

/**
 * Wire options passed through to every request of the run (temperature, reasoning effort,
 * `parallel_tool_calls`, `tool_choice`, `max_completion_tokens`, ...).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestOptions = Omit<
  ChatCompletionRequest,
  "model" | "messages" | "tools" | "stream" | "stream_options"
>

/**
 * The definition of an agent.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentOptions<Tools extends Record<string, Tool.Any>> {
  /** A name, for logs and the CLI. */
  readonly name?: string | undefined
  /** The model id, e.g. `grok-4.3`. */
  readonly model: string
  /** The system message. */
  readonly instructions?: string | undefined
  /** The tools the model may call; their handlers come from the toolkit's layer. */
  readonly toolkit?: Toolkit.Toolkit<Tools> | undefined
  /** Wire options for every request. `n` must be 1: a loop follows one conversation. */
  readonly request?: RequestOptions | undefined
  /** Most model calls in a run. Default 10. */
  readonly maxSteps?: number | undefined
  /**
   * What happens when the cap is reached and the model still calls tools: `"error"` (default)
   * fails with `MaxStepsReached`; `"final-answer"` asks once more with tools disabled.
   */
  readonly onMaxSteps?: "error" | "final-answer" | undefined
  /** Conditions that end the run after a step (any of them). */
  readonly stopWhen?: StopCondition.StopCondition | ReadonlyArray<StopCondition.StopCondition> | undefined
  /**
   * Whether a forcing `tool_choice` (`"required"` or a named function) applies only until the
   * first tool call, after which requests say `"auto"`, so that the model can answer. Default true.
   */
  readonly resetToolChoice?: boolean | undefined
  /** Most tool handlers running at once. Default 8. */
  readonly toolConcurrency?: number | undefined
  /** Limit on one handler. Default 60 seconds. */
  readonly toolTimeout?: Duration.Input | undefined
  /** Largest tool message, in UTF-8 bytes; longer ones are cut with a marker. Default 32 KiB. */
  readonly maxToolOutputBytes?: number | undefined
}

/**
 * An agent whose answer is decoded with `output`, a Schema of the JSON the model must return
 * (sent as a `json_schema` response format).
 *
 * @since 0.1.0
 * @category models
 */
export interface StructuredAgentOptions<Tools extends Record<string, Tool.Any>, Output> extends AgentOptions<Tools> {
  readonly output: Schema.Codec<Output, any>
  /** The name of the response format. Default `"output"`. */
  readonly outputName?: string | undefined
}

const TypeId = "~@grokit/runtime/Agent" as const

/**
 * An agent, ready to run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Agent<Tools extends Record<string, Tool.Any>, Output> {
  readonly [TypeId]: { readonly _Output: (_: never) => Output }
  readonly options: AgentOptions<Tools>
  /** The tools as sent on the wire, computed once. */
  readonly wireTools: ReadonlyArray<ChatTool>
  /** Why the definition cannot run, if it cannot. */
  readonly problem: string | undefined
  readonly decodeOutput: (text: string) => { readonly ok: true; readonly value: Output } | {
    readonly ok: false
    readonly description: string
  }
  readonly responseFormat: ChatCompletionRequest["response_format"]
}

/**
 * What a run of an agent needs: the client and the handlers of its tools.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements<Tools extends Record<string, Tool.Any>> =
  | GrokClient
  | Tool.HandlersFor<Tools>
  | Tool.HandlerServices<Tools[keyof Tools]>

const emptyToolkit = Toolkit.make()

const buildWireTools = (toolkit: Toolkit.Toolkit<any> | undefined): { tools: Array<ChatTool>; problem?: string } => {
  const tools: Array<ChatTool> = []
  if (toolkit === undefined) return { tools }
  const entries = Object.values(toolkit.tools) as Array<Tool.Any>
  if (entries.length > MAX_TOOLS) return { tools, problem: `at most ${MAX_TOOLS} tools, got ${entries.length}` }
  for (const tool of entries) {
    if (Tool.isProviderDefined(tool)) {
      return { tools, problem: `tool ${tool.name} is provider-defined; chat completions take function tools only` }
    }
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(tool.name)) {
      return { tools, problem: `tool name ${JSON.stringify(tool.name)} must be 1-64 letters, digits, _ or -` }
    }
    const parameters = Tool.getJsonSchema(tool) as Record<string, unknown>
    if (parameters.type !== "object") {
      return {
        tools,
        problem: `the parameters of tool ${tool.name} must be an object schema, got ${JSON.stringify(parameters.type)}`
      }
    }
    const description = Tool.getDescription(tool)
    tools.push({
      type: "function",
      function: {
        name: tool.name,
        ...(description === undefined ? {} : { description }),
        parameters: parameters as ChatTool["function"]["parameters"] & object
      }
    })
  }
  return { tools }
}

/**
 * Defines an agent. The definition is checked once here (tool schemas, `n`), and any problem is
 * reported as `InvalidAgent` when the agent runs.
 *
 * @example
 * ```ts
 * import { Agent } from "@grokit/runtime"
 * import { Effect, Schema } from "effect"
 * import { Tool, Toolkit } from "effect/ai"
 *
 * const GetWeather = Tool.make("get_weather", {
 *   description: "Current weather in a city",
 *   parameters: Schema.Struct({ city: Schema.String }),
 *   success: Schema.Struct({ celsius: Schema.Finite })
 * })
 * const Tools = Toolkit.make(GetWeather)
 * const ToolsLayer = Tools.toLayer({ get_weather: () => Effect.succeed({ celsius: 21 }) })
 *
 * const agent = Agent.make({ model: "grok-4.3", instructions: "Be brief.", toolkit: Tools })
 * const program = Agent.run(agent, "Weather in Paris?")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function make<Tools extends Record<string, Tool.Any> = {}, Output = never>(
  options: StructuredAgentOptions<Tools, Output>
): Agent<Tools, Output>
export function make<Tools extends Record<string, Tool.Any> = {}>(options: AgentOptions<Tools>): Agent<Tools, string>
export function make(
  options: AgentOptions<any> & {
    readonly output?: Schema.Codec<any, any> | undefined
    readonly outputName?: string | undefined
  }
): Agent<any, any> {
  const built = buildWireTools(options.toolkit)
  let problem = built.problem
  if (options.request?.n !== undefined && options.request.n !== 1) {
    problem ??= `n must be 1 in an agent (a loop follows one conversation), got ${options.request.n}`
  }
  if ((options.maxSteps ?? 10) < 1) problem ??= `maxSteps must be at least 1`
  let responseFormat = options.request?.response_format
  let decodeOutput: Agent<any, any>["decodeOutput"] = (text) => ({ ok: true, value: text })
  if (options.output !== undefined) {
    const output = options.output
    const document = Schema.toJsonSchemaDocument(output, { onExcessProperty: "error" })
    const schema: Record<string, unknown> = { ...document.schema }
    if (Object.keys(document.definitions).length > 0) schema.$defs = document.definitions
    responseFormat = {
      type: "json_schema",
      json_schema: { name: options.outputName ?? "output", schema, strict: true }
    }
    const decode = Schema.decodeUnknownExit(Schema.fromJsonString(output))
    decodeOutput = (text) => {
      const exit = decode(text)
      return exit._tag === "Success"
        ? { ok: true, value: exit.value }
        : {
          ok: false,
          description: String(
            exit.cause.reasons[0] && "error" in exit.cause.reasons[0] ? exit.cause.reasons[0].error : exit.cause
          )
        }
    }
  }
  return {
    [TypeId]: { _Output: (_: never) => _ },
    options,
    wireTools: built.tools,
    problem,
    decodeOutput,
    responseFormat
  }
}

/**
 * The decision on one tool call that waits for approval.
 *
 * @since 0.1.0
 * @category models
 */
export type ApprovalDecision = { readonly approved: true } | { readonly approved: false; readonly reason?: string }

/**
 * A decision for each pending tool call, by tool call id.
 *
 * @since 0.1.0
 * @category models
 */
export type ApprovalDecisions = Readonly<Record<string, ApprovalDecision>>

/**
 * Approves a pending tool call.
 *
 * @since 0.1.0
 * @category constructors
 */
export const approve: ApprovalDecision = { approved: true }

/**
 * Rejects a pending tool call; the model is told, with the reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reject = (reason?: string): ApprovalDecision =>
  reason === undefined ? { approved: false } : { approved: false, reason }

/**
 * The state of a new run of `agent` on `input` (a user message, or messages).
 *
 * @since 0.1.0
 * @category constructors
 */
export const initialState = (
  agent: Agent<any, any>,
  input: string | ReadonlyArray<ChatMessage>
): AgentState => {
  const messages: Array<ChatMessage> = []
  if (agent.options.instructions !== undefined && agent.options.instructions !== "") {
    messages.push({ role: "system", content: agent.options.instructions })
  }
  if (typeof input === "string") messages.push({ role: "user", content: input })
  else messages.push(...input)
  return { version: 1, messages, steps: [], usage: RunUsage.empty, citations: [], pending: [] }
}

type Emit = LoopCore.Emit

type ModelCall = LoopCore.ModelCall<GrokClient["Service"], ChatCompletionRequest, ChatCompletion>

const completeOnce: ModelCall = (client, request, call) => client.createChatCompletion(request, call)

const completeStreaming: ModelCall = (client, request, call, step, emit) =>
  GrokClient.collect(
    client.streamChatCompletion(request, call),
    emit === undefined ? undefined : (chunks) => {
      const events: Array<AgentEvent<any>> = []
      for (const chunk of chunks) {
        const delta = chunk.choices[0]?.delta
        if (delta === undefined) continue
        if (delta.reasoning_content != null && delta.reasoning_content !== "") {
          events.push({ _tag: "ReasoningDelta", step, delta: delta.reasoning_content })
        }
        if (delta.content != null && delta.content !== "") {
          events.push({ _tag: "TextDelta", step, delta: delta.content })
        }
      }
      return events.length === 0 ? Effect.void : Effect.forEach(events, emit, { discard: true })
    }
  )

/** The call options of every request after the first of a run or resume: see `LoopCore.Run.skipsCheck`. */
const alreadyChecked: CallOptions = { validate: false }

const noRejections: ReadonlyMap<string, string> = new Map()

const needsApproval = (
  toolkit: Toolkit.WithHandler<any>,
  call: ToolCall
): Effect.Effect<boolean> => {
  const tool = Object.hasOwn(toolkit.tools, call.function.name)
    ? toolkit.tools[call.function.name] as Tool.Any
    : undefined
  const rule = tool?.needsApproval
  if (tool === undefined || rule === undefined || rule === false) return Effect.succeed(false)
  if (rule === true) return Effect.succeed(true)
  let parameters: unknown
  try {
    parameters = JSON.parse(call.function.arguments.trim() === "" ? "{}" : call.function.arguments)
  } catch {
    return Effect.succeed(false)
  }
  const decoded = Schema.isSchema(tool.parametersSchema)
    ? Schema.decodeUnknownExit(tool.parametersSchema as Schema.Codec<unknown, unknown>)(parameters)
    : undefined
  if (decoded !== undefined && decoded._tag === "Failure") return Effect.succeed(false)
  const value = decoded === undefined ? parameters : decoded.value
  const verdict = rule(value, { toolCallId: call.id, messages: [] })
  return Effect.isEffect(verdict) ? verdict : Effect.succeed(verdict)
}

/**
 * The loop. Shared by `run`, `stream` and `resume`; `callModel` decides streaming, `emit` receives
 * events (or nothing).
 */
const drive = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent<Tools, Output>,
  start: AgentState,
  callModel: ModelCall,
  emit: Emit,
  decisions: Readonly<Record<string, ApprovalDecision>> | undefined
): Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>> =>
  Effect.gen(function*() {
    const options = agent.options
    const loop = new LoopCore.Run<Output>(options, start, emit)
    const { messages, steps } = loop
    if (agent.problem !== undefined) return yield* loop.failWith(new InvalidAgent({ description: agent.problem }))

    const client = yield* GrokClient
    const toolkit: Toolkit.WithHandler<any> = options.toolkit === undefined
      ? yield* (emptyToolkit as unknown as Effect.Effect<Toolkit.WithHandler<any>>)
      : yield* (options.toolkit as unknown as Effect.Effect<Toolkit.WithHandler<any>>)
    // A forced tool_choice ("required" or a named function) would force a tool call on every step,
    // and the model could never answer: it applies until the first tool call, then "auto".
    const forcesTools = LoopCore.forcesTools(options, options.request?.tool_choice)
    const execute = (call: ToolCall) => ToolExecution.execute(toolkit, call, loop.execution)

    // A paused run: answer the pending calls first, as decided.
    if (start.pending.length > 0) {
      const rejected = new Map<string, string>()
      for (const call of start.pending) {
        const mustApprove = yield* needsApproval(toolkit, call)
        if (!mustApprove) continue
        const decision = decisions?.[call.id]
        if (decision === undefined) {
          return yield* loop.failWith(
            new InvalidResume({ description: `no decision for tool call ${call.id} (${call.function.name})` }),
            start.pending
          )
        }
        if (!decision.approved) rejected.set(call.id, decision.reason ?? "")
      }
      for (const id of Object.keys(decisions ?? {})) {
        if (!start.pending.some((call) => call.id === id)) {
          return yield* loop.failWith(
            new InvalidResume({ description: `no pending tool call has id ${id}` }),
            start.pending
          )
        }
      }
      const last = steps[steps.length - 1]
      const results = yield* loop.runTools(start.pending, last?.index ?? 0, rejected, execute)
      for (const toolResult of results) messages.push(LoopCore.toolMessage(toolResult))
      if (last !== undefined) steps[steps.length - 1] = { ...last, toolResults: results }
    } else if (decisions !== undefined && Object.keys(decisions).length > 0) {
      return yield* loop.failWith(new InvalidResume({ description: "the run has no tool calls waiting for approval" }))
    }

    while (true) {
      const stepIndex = steps.length
      const atCap = yield* loop.atCap(options.onMaxSteps)
      const request: ChatCompletionRequest = {
        ...options.request,
        ...(agent.responseFormat === undefined ? {} : { response_format: agent.responseFormat }),
        model: options.model,
        messages: messages.slice(),
        ...(agent.wireTools.length === 0 ? {} : { tools: agent.wireTools }),
        ...(atCap
          ? { tool_choice: "none" as const }
          : forcesTools && loop.toolsCalled.length > 0
          ? { tool_choice: "auto" as const }
          : {})
      }
      if (emit !== undefined) yield* emit({ _tag: "StepStart", step: stepIndex })
      const call = loop.skipsCheck() ? alreadyChecked : undefined
      const completion = yield* callModel(client, request, call, stepIndex, emit).pipe(
        Effect.catch((error) => {
          loop.chargeFailedCall(error.partial?.usage != null ? RunUsage.fromWire(error.partial.usage) : undefined)
          return loop.failWith(new ModelCallFailed({ error }))
        })
      )
      const stepUsage = RunUsage.fromWire(completion.usage)
      loop.usage = RunUsage.add(loop.usage, stepUsage)
      for (const url of completion.citations ?? []) {
        if (!loop.citations.includes(url)) {
          loop.citations.push(url)
          if (emit !== undefined) yield* emit({ _tag: "Citation", url })
        }
      }
      const choice = completion.choices[0]
      if (choice === undefined) {
        return yield* loop.failWith(
          new ModelCallFailed({
            error: new GrokError({
              method: "agent",
              reason: new InvalidResponse({ description: "the completion has no choices", issues: [] })
            })
          })
        )
      }
      const text = choice.message.content ?? ""
      const reasoning = choice.message.reasoning_content ?? undefined
      const toolCalls = atCap
        ? []
        : loop.normalize(
          (choice.message.tool_calls ?? []).map((call) => ({
            id: call.id,
            name: call.function.name,
            arguments: call.function.arguments
          })),
          stepIndex
        )
      const step: AgentStep = {
        index: stepIndex,
        text,
        ...(reasoning === undefined || reasoning === null ? {} : { reasoning }),
        toolCalls,
        toolResults: [],
        finishReason: choice.finish_reason ?? null,
        usage: stepUsage
      }
      messages.push(LoopCore.assistantMessage(text, toolCalls))

      if (toolCalls.length === 0) return yield* loop.finishAnswer(step, atCap, agent.decodeOutput)

      yield* loop.emitToolCalls(toolCalls, stepIndex)
      const approvals = yield* Effect.forEach(toolCalls, (call) => needsApproval(toolkit, call))
      if (approvals.some(Boolean)) {
        steps.push(step)
        if (emit !== undefined) yield* emit({ _tag: "StepFinish", step, usage: loop.usage })
        const pendingApprovals: Array<PendingApproval> = toolCalls
          .filter((_, index) => approvals[index])
          .map((call) => ({ toolCallId: call.id, name: call.function.name, arguments: call.function.arguments }))
        return {
          status: "paused",
          pendingApprovals,
          ...loop.resultBase(loop.snapshot(toolCalls))
        } satisfies AgentResult<Output>
      }
      const results = yield* loop.runTools(toolCalls, stepIndex, noRejections, execute)
      const stopped = yield* loop.finishToolStep(step, results)
      if (stopped !== undefined) return stopped
    }
  }) as Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>>

/**
 * Runs an agent to its end: the answer (or a pause for approval), every step, usage and cost.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent<Tools, Output>,
  input: string | ReadonlyArray<ChatMessage>
): Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>> =>
  drive(agent, initialState(agent, input), completeOnce, undefined, undefined)

/**
 * Resumes a paused run from its state, with a decision for each call that waits for approval.
 *
 * @since 0.1.0
 * @category running
 */
export const resume = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent<Tools, Output>,
  state: AgentState,
  decisions: Readonly<Record<string, ApprovalDecision>>
): Effect.Effect<AgentResult<Output>, AgentError, Requirements<Tools>> =>
  drive(agent, state, completeOnce, undefined, decisions)

const streamFrom = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent<Tools, Output>,
  state: AgentState,
  decisions: Readonly<Record<string, ApprovalDecision>> | undefined
): Stream.Stream<AgentEvent<Output>, AgentError, Requirements<Tools>> =>
  LoopCore.eventStream((emit) => drive(agent, state, completeStreaming, emit, decisions))

/**
 * Runs an agent as a stream of events: text and reasoning deltas, tool calls and results, step
 * ends with usage, citations, and the finish with the result `run` returns.
 *
 * @since 0.1.0
 * @category running
 */
export const stream = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent<Tools, Output>,
  input: string | ReadonlyArray<ChatMessage>
): Stream.Stream<AgentEvent<Output>, AgentError, Requirements<Tools>> =>
  streamFrom(agent, initialState(agent, input), undefined)

/**
 * `resume`, as a stream of events.
 *
 * @since 0.1.0
 * @category running
 */
export const resumeStream = <Tools extends Record<string, Tool.Any>, Output>(
  agent: Agent<Tools, Output>,
  state: AgentState,
  decisions: Readonly<Record<string, ApprovalDecision>>
): Stream.Stream<AgentEvent<Output>, AgentError, Requirements<Tools>> => streamFrom(agent, state, decisions)
