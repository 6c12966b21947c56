/**
 * What the two agent loops (`Agent`, on chat completions, and `ResponsesLoop`, on the Responses
 * API) do the same way: the run's mutable state and its snapshots, the parts every result
 * carries, the loop settings from the agent's options, tool-call id normalization, running a
 * step's tool calls (bounded concurrency, rejected calls, `ToolResult` events), finishing a step
 * (answer or tool results, stop conditions), and the usage of a failed model call.
 *
 * Request building and the wire formats differ, and stay in each loop.
 *
 * @internal
 */
import type { CallOptions, ChatMessage, GrokError, ToolCall } from "@grokit/core"
import { Duration, Effect, Queue, Stream } from "effect"
import type { AgentOptions } from "../Agent.ts"
import { AgentError, InvalidOutput, MaxStepsReached } from "../AgentError.ts"
import type { AgentErrorReason } from "../AgentError.ts"
import type { AgentEvent } from "../AgentEvent.ts"
import type { AgentResult, StopReason } from "../AgentResult.ts"
import type { AgentState, AgentStep, ToolResult } from "../AgentState.ts"
import type { CitationSource } from "../CitationSource.ts"
import * as RunUsage from "../RunUsage.ts"
import * as StopCondition from "../StopCondition.ts"
import * as ToolExecution from "./ToolExecution.ts"

/** @internal */
export type Emit = ((event: AgentEvent<any>) => Effect.Effect<void>) | undefined

/**
 * One model call of a loop: `call` carries the call options (see `Run.skipsCheck`), `emit`
 * receives the deltas when streaming.
 *
 * @internal
 */
export type ModelCall<Client, Request, Response> = (
  client: Client,
  request: Request,
  call: CallOptions | undefined,
  step: number,
  emit: Emit
) => Effect.Effect<Response, GrokError>

/**
 * A run as a stream of events: `drive` runs it with an `emit` that offers each event, then the
 * `Finish` event with its result ends the stream.
 *
 * @internal
 */
export const eventStream = <Output, R>(
  drive: (emit: Emit) => Effect.Effect<AgentResult<Output>, AgentError, R>
): Stream.Stream<AgentEvent<Output>, AgentError, R> =>
  Stream.callback<AgentEvent<Output>, AgentError, R>((queue) => {
    const emit = (event: AgentEvent<any>) => Effect.asVoid(Queue.offer(queue, event as AgentEvent<Output>))
    return drive(emit).pipe(
      Effect.flatMap((result) => emit({ _tag: "Finish", result })),
      Effect.andThen(Queue.end(queue))
    )
  }, { bufferSize: 256, strategy: "suspend" })

/** Gives every call a unique, non-empty id, so each is answered exactly once on the wire. */
export const normalizeToolCalls = (
  calls: ReadonlyArray<{ readonly id: string; readonly name: string; readonly arguments: string }>,
  step: number,
  seen: Set<string>
): Array<ToolCall> =>
  calls.map((call, index) => {
    let id = call.id
    if (id === "" || seen.has(id)) {
      const base = id === "" ? `call_${step}_${index}` : `${id}_${index}`
      id = base
      let suffix = 1
      while (seen.has(id)) id = `${base}_${suffix++}`
    }
    seen.add(id)
    return { id, type: "function", function: { name: call.name, arguments: call.arguments } }
  })

/** @internal */
export const toolMessage = (result: ToolResult): ChatMessage => ({
  role: "tool",
  tool_call_id: result.toolCallId,
  content: result.content === "" ? "(empty result)" : result.content
})

/** @internal */
export const assistantMessage = (text: string, toolCalls: ReadonlyArray<ToolCall>): ChatMessage =>
  toolCalls.length === 0
    ? { role: "assistant", content: text }
    : text === ""
    ? { role: "assistant", tool_calls: toolCalls }
    : { role: "assistant", content: text, tool_calls: toolCalls }

/** The tool result of a call the user rejected. */
const rejectedResult = (call: ToolCall, reason: string): ToolResult => ({
  toolCallId: call.id,
  name: call.function.name,
  content: `Error: the user rejected this call${reason === "" ? "" : `: ${reason}`}`,
  isFailure: true,
  failure: "rejected" as const,
  truncated: false
})

/** Whether a requested `tool_choice` forces tool calls and is reset to `"auto"` after the first. */
export const forcesTools = (options: AgentOptions<any>, requestedChoice: unknown): boolean =>
  (options.resetToolChoice ?? true) && requestedChoice !== undefined &&
  requestedChoice !== "auto" && requestedChoice !== "none"

/**
 * One run of a loop, from its start state: the conversation, steps, citations and usage so far,
 * and the settings from the agent's options.
 *
 * @internal
 */
export class Run<Output> {
  readonly messages: Array<ChatMessage>
  readonly steps: Array<AgentStep>
  readonly citations: Array<string>
  usage: RunUsage.RunUsage
  readonly maxSteps: number
  readonly stopConditions: ReadonlyArray<StopCondition.StopCondition>
  readonly execution: ToolExecution.ExecutionOptions
  readonly concurrency: number
  /** The ids of every tool call so far, so that new ones stay unique. */
  readonly seenIds = new Set<string>()
  /** The names of every tool called so far. */
  readonly toolsCalled: Array<string> = []
  /** Whether a request of this run went to the client, checked. */
  private checked = false
  readonly emit: Emit
  /** Sources kept in the state (Responses only). */
  readonly sources: Array<CitationSource> | undefined
  /** More fields of completed results (Responses only), between `citations` and `messages`. */
  readonly resultExtras: (state: AgentState) => object

  constructor(
    options: AgentOptions<any>,
    start: AgentState,
    emit: Emit,
    sources?: Array<CitationSource>,
    resultExtras: (state: AgentState) => object = () => ({})
  ) {
    this.emit = emit
    this.sources = sources
    this.resultExtras = resultExtras
    this.messages = [...start.messages]
    this.steps = [...start.steps]
    this.citations = [...start.citations]
    this.usage = start.usage
    this.maxSteps = options.maxSteps ?? 10
    this.stopConditions = options.stopWhen === undefined
      ? []
      : Array.isArray(options.stopWhen)
      ? options.stopWhen as ReadonlyArray<StopCondition.StopCondition>
      : [options.stopWhen as StopCondition.StopCondition]
    this.execution = {
      timeout: Duration.fromInputUnsafe(options.toolTimeout ?? "60 seconds"),
      maxOutputBytes: options.maxToolOutputBytes ?? 32 * 1024
    }
    this.concurrency = Math.max(1, options.toolConcurrency ?? 8)
    for (const message of this.messages) {
      if (message.role === "assistant") { for (const call of message.tool_calls ?? []) this.seenIds.add(call.id) }
    }
    for (const step of this.steps) for (const call of step.toolCalls) this.toolsCalled.push(call.function.name)
  }

  /** The state now, with the calls that wait (for approval). */
  snapshot(pending: ReadonlyArray<ToolCall> = []): AgentState {
    const sources = this.sources
    return {
      version: 1,
      messages: [...this.messages],
      steps: [...this.steps],
      usage: this.usage,
      citations: [...this.citations],
      ...(sources === undefined || sources.length === 0 ? {} : { sources: [...sources] }),
      pending: [...pending]
    }
  }

  failWith(reason: AgentErrorReason, pending: ReadonlyArray<ToolCall> = []): Effect.Effect<never, AgentError> {
    return Effect.fail(new AgentError({ reason, state: this.snapshot(pending) }))
  }

  /** What every result carries, from the state at its end. */
  resultBase(state: AgentState, extras: object = {}) {
    return {
      steps: state.steps,
      usage: this.usage,
      costInUsDollars: RunUsage.costInUsDollars(this.usage),
      citations: state.citations,
      ...extras,
      messages: state.messages,
      state
    }
  }

  completed(text: string, output: Output, stopReason: StopReason, stoppedBy?: string): AgentResult<Output> {
    const state = this.snapshot()
    return {
      status: "completed",
      text,
      output,
      stopReason,
      ...(stoppedBy === undefined ? {} : { stoppedBy }),
      ...this.resultBase(state, this.resultExtras(state))
    }
  }

  /**
   * Whether the next request skips the client's check (and marks it sent). The first request of
   * a run (or of a resume or continued run: its state comes from the caller) is checked whole by
   * the client. What later requests add is built by the loop: assistant messages from decoded
   * responses (tool call ids normalized), tool messages (never empty), and tool_choice "auto" or
   * "none"; the request options and tools do not change. So they skip the check, which would
   * otherwise re-validate the whole, growing conversation on every step.
   */
  skipsCheck(): boolean {
    const skips = this.checked
    this.checked = true
    return skips
  }

  /**
   * Whether the step cap is reached before the next step: fails with `MaxStepsReached` then,
   * unless `onMaxSteps` asks for a final answer.
   */
  atCap(onMaxSteps: AgentOptions<any>["onMaxSteps"]): Effect.Effect<boolean, AgentError> {
    const atCap = this.steps.length >= this.maxSteps
    return atCap && (onMaxSteps ?? "error") === "error"
      ? this.failWith(new MaxStepsReached({ maxSteps: this.maxSteps }))
      : Effect.succeed(atCap)
  }

  /** Counts a failed model call: the usage its partial response reported, or one unreported call. */
  chargeFailedCall(reported: RunUsage.RunUsage | undefined): void {
    this.usage = RunUsage.add(this.usage, reported ?? { ...RunUsage.empty, unreportedCalls: 1 })
  }

  /** Normalizes the ids of a step's tool calls against every id so far. */
  normalize(
    calls: ReadonlyArray<{ readonly id: string; readonly name: string; readonly arguments: string }>,
    step: number
  ) {
    return normalizeToolCalls(calls, step, this.seenIds)
  }

  /**
   * Runs a step's tool calls in call order (bounded concurrency): rejected ones answer with the
   * rejection, the others with `execute`; each result is emitted, then `after` runs on it.
   */
  runTools<R>(
    calls: ReadonlyArray<ToolCall>,
    step: number,
    rejected: ReadonlyMap<string, string>,
    execute: (call: ToolCall) => Effect.Effect<ToolResult, never, R>,
    after?: (result: ToolResult) => Effect.Effect<void>
  ): Effect.Effect<Array<ToolResult>, never, R> {
    const emit = this.emit
    return Effect.forEach(calls, (call) => {
      const rejection = rejected.get(call.id)
      const outcome: Effect.Effect<ToolResult, never, R> = rejection !== undefined
        ? Effect.succeed(rejectedResult(call, rejection))
        : execute(call)
      const emitted = emit === undefined
        ? outcome
        : Effect.tap(outcome, (toolResult) => emit({ _tag: "ToolResult", step, result: toolResult }))
      return after === undefined ? emitted : Effect.tap(emitted, after)
    }, { concurrency: this.concurrency })
  }

  /** Emits a `ToolCall` event for each call of a step. */
  emitToolCalls(calls: ReadonlyArray<ToolCall>, step: number): Effect.Effect<void> {
    const emit = this.emit
    return emit === undefined
      ? Effect.void
      : Effect.forEach(calls, (call) => emit({ _tag: "ToolCall", step, call }), { discard: true })
  }

  /** Ends the run on a step without tool calls: the answer, decoded. */
  finishAnswer(
    step: AgentStep,
    atCap: boolean,
    decodeOutput: (text: string) => { readonly ok: true; readonly value: Output } | {
      readonly ok: false
      readonly description: string
    }
  ): Effect.Effect<AgentResult<Output>, AgentError> {
    return Effect.suspend(() => {
      this.steps.push(step)
      const decode = Effect.suspend(() => {
        const decoded = decodeOutput(step.text)
        return decoded.ok
          ? Effect.succeed(this.completed(step.text, decoded.value, atCap ? "max-steps" : "answer"))
          : this.failWith(new InvalidOutput({ text: step.text, description: decoded.description }))
      })
      return this.emit === undefined
        ? decode
        : Effect.andThen(this.emit({ _tag: "StepFinish", step, usage: this.usage }), decode)
    })
  }

  /**
   * Records a step whose tool calls were answered with `results`, and ends the run if a stop
   * condition holds (`undefined`: the loop goes on).
   */
  finishToolStep(
    step: AgentStep,
    results: ReadonlyArray<ToolResult>
  ): Effect.Effect<AgentResult<Output> | undefined> {
    return Effect.suspend(() => {
      for (const toolResult of results) this.messages.push(toolMessage(toolResult))
      const finished: AgentStep = { ...step, toolResults: results }
      this.steps.push(finished)
      const calledNow = step.toolCalls.map((call) => call.function.name)
      this.toolsCalled.push(...calledNow)
      const decide = Effect.sync(() => {
        const stoppedBy = StopCondition.firstMet(this.stopConditions, {
          steps: this.steps.length,
          usage: this.usage,
          toolsCalledInLastStep: calledNow,
          toolsCalled: this.toolsCalled
        })
        return stoppedBy === undefined
          ? undefined
          : this.completed(step.text, step.text as unknown as Output, "stop-condition", stoppedBy.description)
      })
      return this.emit === undefined
        ? decide
        : Effect.andThen(this.emit({ _tag: "StepFinish", step: finished, usage: this.usage }), decide)
    })
  }
}
