/**
 * Checks that every export of every package's public source has a JSDoc comment with `@since`
 * (internal modules and generated files excepted). Prints each missing one; exits 1 if any.
 *
 * Run: `npx -y pnpm@12.4.2 docs:check` (part of `lint`).
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../", import.meta.url))
const packagesFolder = join(root, "packages")

const sourceFiles = (folder: string): Array<string> =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) return name === "internal" || name === "generated" ? [] : sourceFiles(path)
    return name.endsWith(".ts") && !name.endsWith(".generated.ts") ? [path] : []
  })

const declaration =
  /^export (?:declare )?(?:abstract )?(const|let|function|class|interface|type|enum|namespace) ([A-Za-z_$][\w$]*)/

const missing: Array<string> = []
let checked = 0
for (const packageName of readdirSync(packagesFolder)) {
  const source = join(packagesFolder, packageName, "src")
  try {
    statSync(source)
  } catch {
    continue
  }
  for (const file of sourceFiles(source)) {
    const lines = readFileSync(file, "utf8").split("\n")
    let previousExport: string | undefined
    lines.forEach((line, index) => {
      const match = declaration.exec(line)
      if (match === null) return
      checked++
      const name = match[2]!
      let back = index - 1
      while (back >= 0 && lines[back]!.trim() === "") back--
      const above = lines[back]?.trim() ?? ""
      const isOverload = match[1] === "function" && previousExport === name
      previousExport = name
      if (isOverload) return
      if (!above.endsWith("*/")) {
        missing.push(`${relative(root, file)}:${index + 1}: ${name} has no JSDoc`)
        return
      }
      let start = back
      while (start >= 0 && !lines[start]!.includes("/**")) start--
      const block = lines.slice(Math.max(0, start), back + 1).join("\n")
      if (!block.includes("@since")) missing.push(`${relative(root, file)}:${index + 1}: ${name}'s JSDoc has no @since`)
    })
  }
}

if (missing.length > 0) {
  console.error(missing.join("\n"))
  console.error(`${missing.length} of ${checked} exports lack JSDoc with @since`)
  process.exit(1)
}
console.log(`JSDoc: all ${checked} exports documented`)
