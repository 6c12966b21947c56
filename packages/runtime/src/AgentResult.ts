/**
 * What a run returns: completed with its answer, or paused with the tool calls that wait for
 * approval and the state to resume from.
 *
 * @since 0.1.0
 */
import type { ChatMessage } from "@grokit/core"
import type { AgentState, AgentStep } from "./AgentState.ts"
import type { CitationSource } from "./CitationSource.ts"
import type { RunUsage } from "./RunUsage.ts"

/**
 * Why a completed run ended: the model answered; a stop condition held (`stoppedBy` says which);
 * or the step cap was reached and one final answer was asked for without tools.
 *
 * @since 0.1.0
 * @category models
 */
export type StopReason = "answer" | "stop-condition" | "max-steps"

/**
 * A setting of a run that could not be honoured as asked: which one, and what happens instead.
 * Never a silent drop: every such setting gives one warning.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunWarning {
  /** The kind of warning, e.g. `"NoEquivalent"`. */
  readonly _tag: string
  /** The setting, as a path, e.g. `search_parameters.sources[0].safe_search`. */
  readonly setting: string
  /** What happens instead, for a human. */
  readonly message: string
}

/**
 * A tool call waiting for approval.
 *
 * @since 0.1.0
 * @category models
 */
export interface PendingApproval {
  readonly toolCallId: string
  readonly name: string
  /** The arguments as the model wrote them (JSON text). */
  readonly arguments: string
}

interface ResultBase {
  /** Every step (model call and its tool results). */
  readonly steps: ReadonlyArray<AgentStep>
  /** Usage summed over all steps. */
  readonly usage: RunUsage
  /** Cost in US dollars, from xAI's `cost_in_usd_ticks`. */
  readonly costInUsDollars: number
  /** Source URLs the answer cites. */
  readonly citations: ReadonlyArray<string>
  /**
   * The cited sources with what is known of each (title, date, origin), when the run searched
   * (the Responses path); their URLs are `citations`.
   */
  readonly sources?: ReadonlyArray<CitationSource> | undefined
  /** Settings that could not be honoured as asked (e.g. search settings xAI has no equivalent for). */
  readonly warnings?: ReadonlyArray<RunWarning> | undefined
  /** The conversation on the wire. */
  readonly messages: ReadonlyArray<ChatMessage>
  /** The state, to save or to resume from. */
  readonly state: AgentState
}

/**
 * A run that ended with an answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Completed<Output> extends ResultBase {
  readonly status: "completed"
  /** The final text. */
  readonly text: string
  /** The final answer: the text, or the object decoded with the agent's output Schema. */
  readonly output: Output
  readonly stopReason: StopReason
  /** The stop condition that ended the run, when one did. */
  readonly stoppedBy?: string | undefined
}

/**
 * A run paused because tools that need approval were called.
 *
 * @since 0.1.0
 * @category models
 */
export interface Paused extends ResultBase {
  readonly status: "paused"
  readonly pendingApprovals: ReadonlyArray<PendingApproval>
}

/**
 * The result of a run.
 *
 * @since 0.1.0
 * @category models
 */
export type AgentResult<Output = string> = Completed<Output> | Paused
