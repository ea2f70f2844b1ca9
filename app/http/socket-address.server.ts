/**
 * The address of a request's TCP peer, which only the HTTP server knows (a
 * Fetch Request carries none). The production server (scripts/serve/http-server.ts) puts
 * it into the load context of every request under this key, which
 * entry.server.tsx exports for it; `react-router dev` and domain code called
 * directly leave it null. Read it through clientIp (auth/cookies.server.ts),
 * which decides when a proxy's headers are believed instead.
 */
import { createContext } from "react-router";

export const socketAddressContext = createContext<string | null>(null);
