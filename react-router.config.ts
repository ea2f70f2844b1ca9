import type { Config } from "@react-router/dev/config";

export default {
  ssr: true,
  future: {
    // Middleware lets one place (app/root.tsx) refuse cross-site POSTs and
    // resolve the signed-in actor before any loader or action runs.
    v8_middleware: true,
  },
} satisfies Config;
