/**
 * What `Agent.stream` emits while a run goes on: text and reasoning as they arrive, each tool call
 * and its result, the end of each step with its usage, citations, a pause for approval, and the
 * finish with the same result `Agent.run` returns.
 *
 * @since 0.1.0
 */
import type { ToolCall } from "@grokit/core"
import type { AgentResult } from "./AgentResult.ts"
import type { AgentStep, ToolResult } from "./AgentState.ts"
import type { CitationOrigin } from "./CitationSource.ts"
import type { RunUsage } from "./RunUsage.ts"

/**
 * A model call starts.
 *
 * @since 0.1.0
 * @category events
 */
export interface StepStart {
  readonly _tag: "StepStart"
  readonly step: number
}

/**
 * Answer text arrived.
 *
 * @since 0.1.0
 * @category events
 */
export interface TextDelta {
  readonly _tag: "TextDelta"
  readonly step: number
  readonly delta: string
}

/**
 * Reasoning text arrived (models that show their reasoning).
 *
 * @since 0.1.0
 * @category events
 */
export interface ReasoningDelta {
  readonly _tag: "ReasoningDelta"
  readonly step: number
  readonly delta: string
}

/**
 * The model called a tool; its handler starts.
 *
 * @since 0.1.0
 * @category events
 */
export interface ToolCallEvent {
  readonly _tag: "ToolCall"
  readonly step: number
  readonly call: ToolCall
}

/**
 * A tool call was answered.
 *
 * @since 0.1.0
 * @category events
 */
export interface ToolResultEvent {
  readonly _tag: "ToolResult"
  readonly step: number
  readonly result: ToolResult
}

/**
 * A step ended.
 *
 * @since 0.1.0
 * @category events
 */
export interface StepFinish {
  readonly _tag: "StepFinish"
  readonly step: AgentStep
  /** Usage of the run so far. */
  readonly usage: RunUsage
}

/**
 * A source URL the answer cites; on the Responses path (search), also its title, date and
 * origin when known.
 *
 * @since 0.1.0
 * @category events
 */
export interface Citation {
  readonly _tag: "Citation"
  readonly url: string
  readonly title?: string | undefined
  readonly date?: string | undefined
  readonly origin?: CitationOrigin | undefined
  /** The local tool that returned it (origin `"tool"`). */
  readonly tool?: string | undefined
}

/**
 * The run ended (completed, or paused for approval); the result is the one `Agent.run` returns.
 *
 * @since 0.1.0
 * @category events
 */
export interface Finish<Output> {
  readonly _tag: "Finish"
  readonly result: AgentResult<Output>
}

/**
 * Any event of a run.
 *
 * @since 0.1.0
 * @category models
 */
export type AgentEvent<Output = string> =
  | StepStart
  | TextDelta
  | ReasoningDelta
  | ToolCallEvent
  | ToolResultEvent
  | StepFinish
  | Citation
  | Finish<Output>
