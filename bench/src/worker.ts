/**
 * One measured variant, in a fresh process. Usage:
 * `worker.ts <scenario> <variant> <url> <iterations> <warmup>` (run with `--expose-gc`).
 *
 * It loads the variant, runs the warm-up, collects garbage, then measures the iterations: CPU
 * time of the whole process (`process.cpuUsage()`, user + system, every thread), wall time,
 * the peak of `used_heap_size` (sampled every 5 ms), the peak RSS of the process
 * (`process.resourceUsage().maxRSS`), GC pause time and the HTTP connections opened. It prints
 * one JSON line, a `Measurement`.
 *
 * With `BENCH_CPU_PROFILE=<file>` in the environment, it also records a V8 CPU profile of the
 * measured phase only (not the start-up or the warm-up) into that file.
 */
import * as DiagnosticsChannel from "node:diagnostics_channel"
import * as Fs from "node:fs"
import * as Inspector from "node:inspector/promises"
import * as Os from "node:os"
import { PerformanceObserver } from "node:perf_hooks"
import * as V8 from "node:v8"
import { findScenario, MODEL_CALLS_PER_RUN, type ScenarioName, STREAM_TOKENS, type VariantName } from "./scenarios.ts"

/** What a variant does: `run(count)` does `count` units of work and returns a check value. */
export interface Workload {
  readonly run: (count: number) => Promise<number>
  readonly close: () => Promise<void>
}

export interface Measurement {
  readonly scenario: ScenarioName
  readonly variant: VariantName
  readonly iterations: number
  /** Units the CPU is divided by: calls, tokens, or runs. */
  readonly units: number
  readonly cpuMicros: number
  readonly userMicros: number
  readonly systemMicros: number
  readonly wallMillis: number
  /** RSS and heap right before the measured phase (after warm-up and a full GC), in bytes. */
  readonly rssBefore: number
  readonly heapBefore: number
  /** Peak RSS of the process over its life, in bytes. */
  readonly maxRss: number
  /** Peak used heap during the measured phase, in bytes. */
  readonly peakHeap: number
  /** Time spent in garbage collection pauses during the measured phase (main thread), in ms. */
  readonly gcMillis: number
  /** Connections opened by the HTTP client (undici's diagnostics channel) during the measured phase. */
  readonly connections: number
  /** The machine's 1-minute load average when the measurement ended (other processes included). */
  readonly loadAverage: number
  readonly node: string
}

const expectedUnits = (scenario: ScenarioName, count: number): number => {
  switch (scenario) {
    case "single-call":
      return count
    case "stream-tokens":
      return count * STREAM_TOKENS
    case "tool-loop":
    case "concurrent-agents":
      return count * MODEL_CALLS_PER_RUN
  }
}

const unitsOf = (scenario: ScenarioName, count: number, check: number): number =>
  scenario === "stream-tokens" ? check : count

const load = async (scenario: ScenarioName, variant: VariantName, url: string): Promise<Workload> => {
  switch (variant) {
    case "baseline":
      return (await import("./baseline.ts")).make(scenario, url)
    case "grokit":
      return (await import("./grokit.ts")).make(scenario, url, "undici", "agent")
    case "grokit-fetch":
      return (await import("./grokit.ts")).make(scenario, url, "fetch", "agent")
    case "grokit-client":
      return (await import("./grokit.ts")).make(scenario, url, "undici", "client")
  }
}

const main = async () => {
  const [scenarioName, variantName, url, iterationsText, warmupText] = process.argv.slice(2)
  const scenario = findScenario(scenarioName ?? "").name
  const variant = variantName as VariantName
  const iterations = Number(iterationsText)
  const warmup = Number(warmupText)
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run the worker with --expose-gc")

  let connections = 0
  DiagnosticsChannel.subscribe("undici:client:connected", () => {
    connections++
  })

  const workload = await load(scenario, variant, url ?? "")
  const check = async (count: number) => {
    const value = await workload.run(count)
    const expected = expectedUnits(scenario, count)
    if (value !== expected) throw new Error(`${variant} ${scenario}: expected ${expected}, got ${value}`)
    return value
  }
  if (warmup > 0) await check(warmup)

  gc()
  gc()
  const rssBefore = process.memoryUsage.rss()
  const heapBefore = V8.getHeapStatistics().used_heap_size
  let peakHeap = heapBefore
  const sampler = setInterval(() => {
    const used = V8.getHeapStatistics().used_heap_size
    if (used > peakHeap) peakHeap = used
  }, 5)
  connections = 0
  let gcMillis = 0
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMillis += entry.duration
  })
  gcObserver.observe({ entryTypes: ["gc"] })
  const profileFile = process.env.BENCH_CPU_PROFILE
  const session = profileFile === undefined ? undefined : new Inspector.Session()
  if (session !== undefined) {
    session.connect()
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 250 })
    await session.post("Profiler.start")
  }

  const cpuStart = process.cpuUsage()
  const wallStart = performance.now()
  const value = await check(iterations)
  const wallMillis = performance.now() - wallStart
  const cpu = process.cpuUsage(cpuStart)
  if (session !== undefined) {
    const { profile } = await session.post("Profiler.stop")
    Fs.writeFileSync(profileFile!, JSON.stringify(profile))
    session.disconnect()
  }

  clearInterval(sampler)
  gcObserver.disconnect()
  const used = V8.getHeapStatistics().used_heap_size
  if (used > peakHeap) peakHeap = used
  const measuredConnections = connections
  await workload.close()

  const measurement: Measurement = {
    scenario,
    variant,
    iterations,
    units: unitsOf(scenario, iterations, value),
    cpuMicros: cpu.user + cpu.system,
    userMicros: cpu.user,
    systemMicros: cpu.system,
    wallMillis,
    rssBefore,
    heapBefore,
    maxRss: process.resourceUsage().maxRSS * 1024,
    peakHeap,
    gcMillis,
    connections: measuredConnections,
    loadAverage: Os.loadavg()[0] ?? 0,
    node: process.version
  }
  process.stdout.write(`${JSON.stringify(measurement)}\n`)
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
      process.exit(1)
    }
  )
}
