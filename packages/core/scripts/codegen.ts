/**
 * Generates `src/generated/CreateChatCompletionInput.generated.ts` from the seed's JSON Schema
 * with json-schema-to-typescript. `--check` fails (exit 1) when the committed file is stale.
 */
import { compile, type JSONSchema } from "json-schema-to-typescript"
import { mkdir, readFile, writeFile } from "node:fs/promises"

const packageRoot = new URL("../", import.meta.url)
const seedFile = new URL("seed/create_chat_completion.input.schema.json", packageRoot)
const outputFile = new URL("src/generated/CreateChatCompletionInput.generated.ts", packageRoot)

const header = `/**
 * GENERATED FILE: DO NOT EDIT. Run \`pnpm codegen\` to regenerate.
 * Source: packages/core/seed/create_chat_completion.input.schema.json (the seed's input schema),
 * compiled by json-schema-to-typescript.
 *
 * @since 0.1.0
 */
`

const schema = JSON.parse(await readFile(seedFile, "utf8")) as JSONSchema
const body = await compile(schema, "SeedCreateChatCompletionInput", {
  bannerComment: "",
  additionalProperties: false,
  strictIndexSignatures: false,
  format: true,
  maxItems: -1
})
const generated = header + body.trimEnd() + "\n"

if (process.argv.includes("--check")) {
  const current = await readFile(outputFile, "utf8").catch(() => "")
  if (current !== generated) {
    console.error(`${outputFile.pathname} is stale: run \`pnpm codegen\` and commit the result`)
    process.exit(1)
  }
  console.log("generated files are current")
} else {
  await mkdir(new URL("src/generated/", packageRoot), { recursive: true })
  await writeFile(outputFile, generated)
  console.log(`wrote ${outputFile.pathname}`)
}
