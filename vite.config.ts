import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [reactRouter()],
  resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
  ssr: {
    // PGlite loads its WASM and data files relative to its own module: keep it
    // out of the server bundle so those paths still resolve.
    external: ["@electric-sql/pglite", "pg"],
  },
});
