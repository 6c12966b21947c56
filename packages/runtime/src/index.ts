/**
 * @grokit/runtime: agents on Grok. The tool-call loop, stop conditions, events, run state, and an
 * effect/ai `LanguageModel` provider for Grok.
 *
 * @since 0.1.0
 */
export * as Agent from "./Agent.ts"
export * from "./AgentError.ts"
export * as AgentEvent from "./AgentEvent.ts"
export type { AgentEvent as AgentEventType } from "./AgentEvent.ts"
export * from "./AgentResult.ts"
export * as AgentState from "./AgentState.ts"
export * as CitationSource from "./CitationSource.ts"
export * as GrokLanguageModel from "./GrokLanguageModel.ts"
export * as ResponsesLoop from "./ResponsesLoop.ts"
export * as RunUsage from "./RunUsage.ts"
export * as StopCondition from "./StopCondition.ts"
