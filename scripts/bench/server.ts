/**
 * The app as production runs it: the built app under scripts/serve.ts,
 * in its own process, so the load generator does not share its event loop.
 */
import { execSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BUILD, SERVE_ARGS } from "../serve/command.ts";
const HEALTH_TRIES = 100;
const HEALTH_INTERVAL_MS = 200;

export interface RunningServer {
  origin: string;
  process: ChildProcess;
  stop(): void;
}

/** A port nothing listens on right now: the kernel picks one, and we let it go. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export function buildIfMissing(): void {
  if (existsSync(BUILD)) return;
  console.log("No build found: building Switchboard…");
  execSync("npx react-router build", { stdio: "inherit" });
}

/** Starts the server on the given database and waits until /healthz answers 200. */
export async function startServer(databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  // The server logs every request: to a file, not a pipe, so neither process spends the run copying it.
  const logFile = join(tmpdir(), `switchboard-bench-${port}.log`);
  const log = openSync(logFile, "w");
  const child = spawn(process.execPath, SERVE_ARGS, {
    stdio: ["ignore", log, log],
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: "production", DATABASE_URL: databaseUrl },
  });
  const server: RunningServer = {
    origin,
    process: child,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  };

  for (let i = 0; i < HEALTH_TRIES; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${origin}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(HEALTH_INTERVAL_MS);
  }
  server.stop();
  throw new Error(
    `The server did not answer /healthz. Its output:\n${readFileSync(logFile, "utf8").slice(-4000)}`,
  );
}

const cookieValue = (setCookies: string[], name: string) =>
  setCookies.map((c) => c.match(new RegExp(`^${name}=([^;]*)`))?.[1]).find((v) => v !== undefined);

/** Signs in through the login form, as a browser would, and returns the session cookie's token. */
export async function signIn(origin: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${origin}/login`);
  const html = await page.text();
  const csrfCookie = cookieValue(page.headers.getSetCookie(), "sb_csrf");
  const csrfField = html.match(/name="csrf" value="([^"]+)"/)?.[1];
  if (!csrfCookie || !csrfField) throw new Error("The login page gave no sb_csrf cookie or csrf field.");

  const res = await fetch(`${origin}/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: `sb_csrf=${csrfCookie}`,
      Origin: origin,
    },
    body: new URLSearchParams({ email, password, csrf: csrfField }),
  });
  await res.arrayBuffer();
  const session = cookieValue(res.headers.getSetCookie(), "sb_session");
  if (res.status !== 302 || !session) throw new Error(`Signing in as ${email} failed: HTTP ${res.status}.`);
  return decodeURIComponent(session);
}

/**
 * Requests as one signed-in person, as a browser without JavaScript sends
 * them: the session cookie, and on POSTs the Origin header and a CSRF token
 * of its own in both the sb_csrf cookie and the form (the double submit
 * compares the two). Redirects are returned, not followed.
 */
export class SignedIn {
  readonly csrf = randomBytes(24).toString("base64url");
  constructor(
    readonly origin: string,
    readonly token: string,
  ) {}

  private get cookie() {
    return `sb_session=${encodeURIComponent(this.token)}; sb_csrf=${this.csrf}`;
  }

  get(path: string): Promise<Response> {
    return fetch(this.origin + path, { headers: { Cookie: this.cookie }, redirect: "manual" });
  }

  post(path: string, fields: ConstructorParameters<typeof URLSearchParams>[0]): Promise<Response> {
    const body = new URLSearchParams(fields);
    body.set("csrf", this.csrf);
    return fetch(this.origin + path, {
      method: "POST",
      redirect: "manual",
      headers: {
        Cookie: this.cookie,
        Origin: this.origin,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body,
    });
  }
}
