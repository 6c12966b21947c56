/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`, or the worker's `BENCH_CPU_PROFILE`):
 * self time by function and by area (effect, @grokit/core, @grokit/runtime, undici, node
 * internals, GC, ...), as shares of the busy samples.
 *
 * Usage: `cpuProfile.ts <file.cpuprofile> [top]`.
 */
import * as Fs from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
    readonly columnNumber: number
  }
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
}

const area = (url: string, name: string): string => {
  if (url === "") return name.startsWith("(") ? name : "(native)"
  if (url.includes("/effect/")) return "effect"
  if (url.includes("/packages/core/")) return "@grokit/core"
  if (url.includes("/packages/runtime/")) return "@grokit/runtime"
  if (url.includes("/platform-node")) return "@effect/platform-node"
  if (url.includes("undici")) return "undici"
  if (url.includes("/bench/")) return "bench"
  if (url.startsWith("node:")) return "node internals"
  return "other"
}

const shortUrl = (url: string): string => {
  const packages = url.lastIndexOf("/packages/")
  if (packages !== -1) return url.slice(packages + "/packages/".length)
  const effect = url.lastIndexOf("/effect/")
  if (effect !== -1) return `effect/${url.slice(effect + "/effect/".length).replace(/^(dist|src)\//, "")}`
  const modules = url.lastIndexOf("node_modules/")
  if (modules !== -1) return url.slice(modules + "node_modules/".length)
  return url.replace(/^file:\/\//, "")
}

/** The top self-time functions and the areas, as printable lines. */
export const summarize = (file: string, top = 25): Array<string> => {
  const profile = JSON.parse(Fs.readFileSync(file, "utf8")) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  // Samples are counted, not their time deltas: on a busy machine a descheduled thread makes
  // one sample's delta long, which would charge the time to whatever ran before. Idle samples
  // (waiting for I/O) are left out, so the shares are shares of the CPU the process used.
  const selfTime = new Map<number, number>()
  let total = 0
  let idle = 0
  for (const id of profile.samples) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") {
      idle++
      continue
    }
    selfTime.set(id, (selfTime.get(id) ?? 0) + 1)
    total++
  }
  const functions = new Map<string, number>()
  const areas = new Map<string, number>()
  for (const [id, time] of selfTime) {
    const frame = byId.get(id)!.callFrame
    const name = frame.functionName === "" ? "(anonymous)" : frame.functionName
    const key = frame.url === "" ? name : `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
    functions.set(key, (functions.get(key) ?? 0) + time)
    const which = area(frame.url, name)
    areas.set(which, (areas.get(which) ?? 0) + time)
  }
  const percent = (time: number) => `${((100 * time) / total).toFixed(1).padStart(5)}%`
  const lines = [`${total} busy samples (${idle} idle left out); self time by area:`]
  for (const [name, time] of [...areas].sort((a, b) => b[1] - a[1])) lines.push(`  ${percent(time)}  ${name}`)
  lines.push(`top ${top} functions by self time:`)
  for (const [name, time] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${percent(time)}  ${name}`)
  }
  return lines
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const file = process.argv[2]
  if (file === undefined) {
    process.stderr.write("usage: cpuProfile.ts <file.cpuprofile> [top]\n")
    process.exit(2)
  }
  process.stdout.write(`${summarize(file, Number(process.argv[3] ?? 40)).join("\n")}\n`)
}
