/**
 * The four benchmark scenarios: sizes (full and quick), the variants compared, and the wire
 * constants every variant shares (model, prompts, tools), so the baseline and grokit send the
 * same requests and read the same answers.
 *
 * This module imports nothing from Effect or grokit: the baseline process loads it too.
 */

export type ScenarioName = "single-call" | "stream-tokens" | "tool-loop" | "concurrent-agents"

export type VariantName = "baseline" | "grokit" | "grokit-fetch" | "grokit-client"

export interface Sizes {
  /** Units of work measured (calls, streams, runs, or the number of concurrent runs). */
  readonly iterations: number
  /** Units of work done before the measurement starts. */
  readonly warmup: number
}

export interface Scenario {
  readonly name: ScenarioName
  readonly description: string
  /** What the CPU is divided by. */
  readonly unit: "call" | "token" | "run"
  readonly full: Sizes
  readonly quick: Sizes
  /** Mock server latency before each chat answer, in ms. */
  readonly latencyMs: number
  readonly variants: ReadonlyArray<VariantName>
  /** Client CPU of grokit over the baseline. */
  readonly cpuTarget: number
  /** Peak memory of grokit over the baseline, when the design sets one. */
  readonly memoryTarget: number | undefined
  /** The openai SDK's ratio on the same shape of work (research/peers.md, DESIGN.md). */
  readonly openaiSdk: number
}

export const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "single-call",
    description: "sequential non-streaming completions, short prompt and answer",
    unit: "call",
    full: { iterations: 2_000, warmup: 500 },
    quick: { iterations: 300, warmup: 100 },
    latencyMs: 0,
    variants: ["baseline", "grokit", "grokit-fetch"],
    cpuTarget: 1.25,
    memoryTarget: 1.3,
    openaiSdk: 1.45
  },
  {
    name: "stream-tokens",
    description: "sequential streams of 2,000 content chunks each",
    unit: "token",
    full: { iterations: 100, warmup: 20 },
    quick: { iterations: 15, warmup: 5 },
    latencyMs: 0,
    variants: ["baseline", "grokit", "grokit-fetch"],
    cpuTarget: 1.15,
    memoryTarget: 1.3,
    openaiSdk: 1.2
  },
  {
    name: "tool-loop",
    description: "sequential agent runs: 4 rounds of 2 parallel tool calls, then an answer",
    unit: "run",
    full: { iterations: 300, warmup: 60 },
    quick: { iterations: 50, warmup: 20 },
    latencyMs: 0,
    variants: ["baseline", "grokit", "grokit-client"],
    cpuTarget: 1.3,
    memoryTarget: 1.3,
    openaiSdk: 1.78
  },
  {
    name: "concurrent-agents",
    description: "concurrent agent runs (the tool-loop run), 20 ms server latency",
    unit: "run",
    full: { iterations: 1_000, warmup: 1_000 },
    quick: { iterations: 200, warmup: 100 },
    latencyMs: 20,
    variants: ["baseline", "grokit", "grokit-client"],
    cpuTarget: 1.3,
    memoryTarget: 1.3,
    openaiSdk: 1.86
  }
]

export const findScenario = (name: string): Scenario => {
  const found = scenarios.find((scenario) => scenario.name === name)
  if (found === undefined) {
    throw new Error(`unknown scenario ${name}; known: ${scenarios.map((s) => s.name).join(", ")}`)
  }
  return found
}

// ---- the wire, shared by every variant ----------------------------------------------------------

export const API_KEY = "xai-bench-not-a-real-key"
export const MODEL = "grok-4.3"
export const INSTRUCTIONS = "You are a terse assistant. Use the tools when they help."
export const SINGLE_PROMPT = "Say hello in five words."
export const SINGLE_ANSWER = "Hello there, nice to meet."
export const STREAM_PROMPT = "Write a long story."
export const STREAM_TOKENS = 2_000
export const STREAM_ANSWER = Array.from({ length: STREAM_TOKENS }, (_, index) => `word${index % 100}`).join(" ")
export const AGENT_PROMPT = "What is the weather in Paris, and what time is it there?"
export const AGENT_ANSWER = "It is sunny and 21 degrees in Paris, and the time there is 12:00."
/** Rounds of tool calls before the model answers; with the answer, 5 model calls per run. */
export const TOOL_ROUNDS = 4
export const MODEL_CALLS_PER_RUN = TOOL_ROUNDS + 1
/** The agents' step cap (grokit's default). */
export const MAX_STEPS = 10

export const weather = (city: string) => ({ city, celsius: 21, sky: "sunny" })
export const time = (zone: string) => ({ zone, time: "12:00" })

/**
 * The two tools as grokit puts them on the wire (`Agent.make(...).wireTools`, checked by
 * `check.ts`): the baseline sends exactly these.
 */
export const wireTools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather in a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: true
      }
    }
  },
  {
    type: "function",
    function: {
      name: "get_time",
      description: "Current time in a time zone",
      parameters: {
        type: "object",
        properties: { zone: { type: "string" } },
        required: ["zone"],
        additionalProperties: true
      }
    }
  }
] as const
