import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    // keep tsc output (build/, dist/) out of the run
    include: ["test/**/*.test.ts"]
  }
})
