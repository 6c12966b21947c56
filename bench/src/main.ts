/**
 * The benchmark driver. For each scenario it starts the mock server in its own process, then
 * runs every variant in a fresh process of its own, alternating (baseline, grokit, then grokit,
 * baseline, ...: ABBA) for R repetitions, and reports per scenario the median client CPU per unit of
 * each variant, its ratio to the baseline of the same repetition (median and min-max over the
 * repetitions), and the peak memory ratios. Prints a table and writes
 * `bench/results/<date>[-quick].json`.
 *
 * Usage: `pnpm bench [--quick] [--reps N] [--scenario a,b] [--tsx] [--profile]`
 * - `--quick`: small sizes, 2 repetitions (a smoke run, under a minute);
 * - `--reps N`: repetitions (default 7);
 * - `--scenario a,b`: only these scenarios;
 * - `--tsx`: run the processes with tsx's loader instead of Node's own type stripping;
 * - `--profile`: one more grokit process per scenario that records a V8 CPU profile of its
 *   measured phase, summarized with `cpuProfile.ts` (profiles in `bench/results/profiles/`).
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Readline from "node:readline"
import { summarize } from "./cpuProfile.ts"
import { type Scenario, scenarios, type VariantName } from "./scenarios.ts"
import type { Measurement } from "./worker.ts"

interface Arguments {
  readonly quick: boolean
  readonly reps: number
  readonly only: ReadonlyArray<string> | undefined
  readonly tsx: boolean
  readonly profile: boolean
}

const parseArguments = (argv: ReadonlyArray<string>): Arguments => {
  let quick = false
  let reps: number | undefined
  let only: Array<string> | undefined
  let tsx = false
  let profile = false
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!
    if (argument === "--quick") quick = true
    else if (argument === "--tsx") tsx = true
    else if (argument === "--profile") profile = true
    else if (argument === "--reps") reps = Number(argv[++index])
    else if (argument === "--scenario") only = (argv[++index] ?? "").split(",")
    else if (argument !== "--") throw new Error(`unknown argument ${argument}`)
  }
  if (reps !== undefined && !(Number.isInteger(reps) && reps >= 1)) throw new Error("--reps takes a positive integer")
  return { quick, reps: reps ?? (quick ? 2 : 7), only, tsx, profile }
}

const args = parseArguments(process.argv.slice(2))
const here = import.meta.dirname
const benchDirectory = Path.dirname(here)
const resultsDirectory = Path.join(benchDirectory, "results")
const profilesDirectory = Path.join(resultsDirectory, "profiles")
/** Node flags of every child: the same Node 24 binary as this process. */
const loaderFlags = args.tsx ? ["--import", import.meta.resolve("tsx")] : []

// ---- processes --------------------------------------------------------------------------------

interface MockProcess {
  readonly url: string
  readonly stop: () => Promise<void>
}

const startMock = (scenario: Scenario): Promise<MockProcess> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(process.execPath, [
      ...loaderFlags,
      Path.join(here, "mockProcess.ts"),
      scenario.name
    ], {
      stdio: ["pipe", "pipe", "inherit"]
    })
    const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()))
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the mock process exited with ${code}`)))
    Readline.createInterface({ input: child.stdout }).once("line", (line) => {
      const { url } = JSON.parse(line) as { url: string }
      resolve({
        url,
        stop: () => {
          child.stdin.end()
          return exited
        }
      })
    })
  })

const runWorker = (
  scenario: Scenario,
  variant: VariantName,
  url: string,
  profileFile?: string
): Promise<Measurement> =>
  new Promise((resolve, reject) => {
    const sizes = args.quick ? scenario.quick : scenario.full
    const child = ChildProcess.spawn(
      process.execPath,
      [
        "--expose-gc",
        ...loaderFlags,
        Path.join(here, "worker.ts"),
        scenario.name,
        variant,
        url,
        String(sizes.iterations),
        String(sizes.warmup)
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: profileFile === undefined ? process.env : { ...process.env, BENCH_CPU_PROFILE: profileFile }
      }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.once("error", reject)
    child.once("exit", (code) => {
      const line = stdout.trim().split("\n").pop() ?? ""
      if (code !== 0 || !line.startsWith("{")) {
        return reject(new Error(`${scenario.name} ${variant} exited with ${code}:\n${stderr}${stdout}`))
      }
      resolve(JSON.parse(line) as Measurement)
    })
  })

// ---- statistics -------------------------------------------------------------------------------

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

interface VariantSummary {
  readonly variant: VariantName
  /** Median client CPU per unit, in microseconds. */
  readonly cpuPerUnit: number
  /** Median wall time per unit, in microseconds. */
  readonly wallPerUnit: number
  readonly maxRss: number
  readonly peakHeap: number
  readonly heapBefore: number
  /** Peak heap minus the heap before the measured phase: what the work itself held and allocated. */
  readonly heapGrowth: number
  readonly connections: number
  /** Over the repetitions, against the baseline of the same repetition. */
  readonly cpuRatio: { readonly median: number; readonly min: number; readonly max: number } | undefined
  readonly maxRssRatio: number | undefined
  readonly peakHeapRatio: number | undefined
  readonly heapGrowthRatio: number | undefined
}

interface ScenarioResult {
  readonly scenario: string
  readonly description: string
  readonly unit: string
  readonly iterations: number
  readonly warmup: number
  readonly latencyMs: number
  readonly cpuTarget: number
  readonly memoryTarget: number | undefined
  readonly openaiSdk: number
  readonly variants: ReadonlyArray<VariantSummary>
  readonly measurements: ReadonlyArray<Measurement>
  readonly profile?: ReadonlyArray<string> | undefined
}

const summarizeScenario = (scenario: Scenario, measurements: ReadonlyArray<Measurement>): ScenarioResult => {
  const byVariant = (variant: VariantName) => measurements.filter((m) => m.variant === variant)
  const baseline = byVariant("baseline")
  const cpu = (m: Measurement) => m.cpuMicros / m.units
  const baselineRss = median(baseline.map((m) => m.maxRss))
  const baselineHeap = median(baseline.map((m) => m.peakHeap))
  const baselineGrowth = median(baseline.map((m) => m.peakHeap - m.heapBefore))
  const sizes = args.quick ? scenario.quick : scenario.full
  return {
    scenario: scenario.name,
    description: scenario.description,
    unit: scenario.unit,
    iterations: sizes.iterations,
    warmup: sizes.warmup,
    latencyMs: scenario.latencyMs,
    cpuTarget: scenario.cpuTarget,
    memoryTarget: scenario.memoryTarget,
    openaiSdk: scenario.openaiSdk,
    variants: scenario.variants.map((variant): VariantSummary => {
      const runs = byVariant(variant)
      const ratios = variant === "baseline" ? [] : runs.map((m, index) => cpu(m) / cpu(baseline[index]!))
      const maxRss = median(runs.map((m) => m.maxRss))
      const peakHeap = median(runs.map((m) => m.peakHeap))
      const heapGrowth = median(runs.map((m) => m.peakHeap - m.heapBefore))
      return {
        variant,
        cpuPerUnit: median(runs.map(cpu)),
        wallPerUnit: median(runs.map((m) => (m.wallMillis * 1000) / m.units)),
        maxRss,
        peakHeap,
        heapBefore: median(runs.map((m) => m.heapBefore)),
        heapGrowth,
        connections: median(runs.map((m) => m.connections)),
        cpuRatio: ratios.length === 0
          ? undefined
          : { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
        maxRssRatio: variant === "baseline" ? undefined : maxRss / baselineRss,
        peakHeapRatio: variant === "baseline" ? undefined : peakHeap / baselineHeap,
        heapGrowthRatio: variant === "baseline" ? undefined : heapGrowth / baselineGrowth
      }
    }),
    measurements
  }
}

// ---- output -----------------------------------------------------------------------------------

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`
const micros = (value: number) => value >= 100 ? `${value.toFixed(0)} µs` : `${value.toFixed(2)} µs`

const table = (results: ReadonlyArray<ScenarioResult>): string => {
  const header = [
    "scenario",
    "variant",
    "CPU/unit",
    "CPU ratio (min-max)",
    "target",
    "wall/unit",
    "peak RSS",
    "RSS ratio",
    "peak heap",
    "heap ratio",
    "heap growth",
    "growth ratio"
  ]
  const rows: Array<Array<string>> = [header]
  for (const result of results) {
    for (const variant of result.variants) {
      const ratio = variant.cpuRatio
      rows.push([
        `${result.scenario} (per ${result.unit})`,
        variant.variant,
        micros(variant.cpuPerUnit),
        ratio === undefined
          ? "1"
          : `${ratio.median.toFixed(2)}x (${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)})`,
        variant.variant === "baseline" ? "" : `<= ${result.cpuTarget}x`,
        micros(variant.wallPerUnit),
        megabytes(variant.maxRss),
        variant.maxRssRatio === undefined ? "" : `${variant.maxRssRatio.toFixed(2)}x`,
        megabytes(variant.peakHeap),
        variant.peakHeapRatio === undefined ? "" : `${variant.peakHeapRatio.toFixed(2)}x`,
        megabytes(variant.heapGrowth),
        variant.heapGrowthRatio === undefined ? "" : `${variant.heapGrowthRatio.toFixed(2)}x`
      ])
    }
  }
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const line = (row: ReadonlyArray<string>) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`
  return [line(rows[0]!), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...rows.slice(1).map(line)]
    .join("\n")
}

// ---- main -------------------------------------------------------------------------------------

const main = async () => {
  const selected = scenarios.filter((scenario) => args.only === undefined || args.only.includes(scenario.name))
  if (selected.length === 0) throw new Error(`no scenario matches ${args.only?.join(",")}`)
  const started = new Date()
  const log = (text: string) => process.stderr.write(`${text}\n`)
  log(
    `grokit bench: ${selected.map((s) => s.name).join(", ")}; ${args.reps} repetitions${
      args.quick ? " (quick)" : ""
    }; Node ${process.version}; ${Os.cpus().length} cores; ${args.tsx ? "tsx loader" : "Node type stripping"}`
  )
  const results: Array<ScenarioResult> = []
  for (const scenario of selected) {
    const mock = await startMock(scenario)
    const measurements: Array<Measurement> = []
    let profile: Array<string> | undefined
    try {
      for (let rep = 1; rep <= args.reps; rep++) {
        // ABBA order (odd repetitions forward, even ones backward), so a drift in the machine's
        // load during a repetition does not always favour the same variant.
        const order = rep % 2 === 1 ? scenario.variants : scenario.variants.toReversed()
        for (const variant of order) {
          const measurement = await runWorker(scenario, variant, mock.url)
          measurements.push(measurement)
          log(
            `  ${scenario.name} rep ${rep}/${args.reps} ${variant.padEnd(12)} ${
              micros(measurement.cpuMicros / measurement.units)
            } CPU per ${scenario.unit}, ${measurement.wallMillis.toFixed(0)} ms wall, ${
              megabytes(measurement.maxRss)
            } peak RSS, load ${measurement.loadAverage.toFixed(1)}`
          )
        }
      }
      if (args.profile) {
        Fs.mkdirSync(profilesDirectory, { recursive: true })
        const file = Path.join(profilesDirectory, `${scenario.name}-${Date.now()}.cpuprofile`)
        await runWorker(scenario, "grokit", mock.url, file)
        profile = summarize(file, 25)
        log(`  profile of grokit on ${scenario.name} (${Path.relative(process.cwd(), file)}):\n${profile.join("\n")}`)
      }
    } finally {
      await mock.stop()
    }
    results.push({ ...summarizeScenario(scenario, measurements), profile })
  }
  const output = table(results)
  process.stdout.write(`${output}\n`)
  Fs.mkdirSync(resultsDirectory, { recursive: true })
  const stamp = started.toISOString().slice(0, 19).replaceAll(":", "-")
  const file = Path.join(resultsDirectory, `${stamp}${args.quick ? "-quick" : ""}.json`)
  Fs.writeFileSync(
    file,
    `${
      JSON.stringify(
        {
          date: started.toISOString(),
          durationSeconds: (Date.now() - started.getTime()) / 1000,
          command: `pnpm bench ${process.argv.slice(2).join(" ")}`.trim(),
          node: process.version,
          loader: args.tsx ? "tsx" : "node type stripping",
          machine: {
            cores: Os.cpus().length,
            cpu: Os.cpus()[0]?.model,
            memory: Os.totalmem(),
            platform: Os.platform()
          },
          repetitions: args.reps,
          quick: args.quick,
          results,
          table: output
        },
        null,
        2
      )
    }\n`
  )
  log(`wrote ${Path.relative(process.cwd(), file)} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
