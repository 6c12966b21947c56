import { defineConfig } from "vitest/config"

// vitest 5 reads projects from here (a vitest.workspace.ts would be ignored).
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts"]
  }
})
