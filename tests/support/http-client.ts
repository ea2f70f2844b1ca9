/**
 * A browser without a page, for suites that talk HTTP to the app server:
 * a cookie jar, redirects not followed (the answer itself is what is tested),
 * and POSTs that pass the anti-forgery check the way the app's forms do
 * (same-site Origin, and the `csrf` field equal to the `sb_csrf` cookie;
 * see app/auth/csrf.server.ts) unless a test asks for a forged one. The
 * tests, the bench and the load test (scripts/) all talk to the app through it.
 */
import { DEMO_PASSWORD } from "../../db/seed/demo.ts";

export type Fields = Record<string, string | string[]>;

export interface PostOptions {
  /** Leave out the Origin header, the csrf field, or both, or send a foreign Origin. */
  forge?: "no-token" | "wrong-token" | "foreign-origin" | "no-cookie";
  headers?: Record<string, string>;
  /**
   * More of the body, already form-encoded, appended as it is: bytes a
   * browser never sends (invalid UTF-8, a lone `%`, a lone surrogate's bytes).
   */
  raw?: string;
}

export class HttpClient {
  private jar = new Map<string, string>();

  constructor(readonly origin: string) {}

  /** Copies the cookies into a new client: the same session, a second tab (or another server of the same database). */
  clone(origin = this.origin): HttpClient {
    const copy = new HttpClient(origin);
    for (const [k, v] of this.jar) copy.jar.set(k, v);
    return copy;
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(path, { method: "GET", headers });
  }

  /** `fields` as a record (a list for a repeated field), or as a page's own form fields. */
  async post(
    path: string,
    fields: Fields | URLSearchParams = {},
    options: PostOptions = {},
  ): Promise<Response> {
    if (!this.jar.has("sb_csrf")) await this.get("/login"); // every answer sets the token cookie once
    const form = new URLSearchParams(fields instanceof URLSearchParams ? fields : undefined);
    if (!(fields instanceof URLSearchParams))
      for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
    const token = this.jar.get("sb_csrf")!;
    if (options.forge !== "no-token")
      form.set(
        "csrf",
        options.forge === "wrong-token" ? token.replace(/.$/, (c) => (c === "A" ? "B" : "A")) : token,
      );
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      origin: options.forge === "foreign-origin" ? "https://evil.example" : this.origin,
      ...options.headers,
    };
    const body = [form.toString(), options.raw].filter(Boolean).join("&");
    return this.send(
      path,
      { method: "POST", headers, body },
      options.forge === "no-cookie" ? ["sb_csrf"] : [],
    );
  }

  /** A multipart form with a file (an upload), passing the anti-forgery check as `post` does. */
  async upload(
    path: string,
    file: { field: string; name: string; content: string | Uint8Array<ArrayBuffer> },
    fields: Record<string, string> = {},
  ): Promise<Response> {
    if (!this.jar.has("sb_csrf")) await this.get("/login");
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.set("csrf", this.jar.get("sb_csrf")!);
    form.append(file.field, new Blob([file.content], { type: "text/csv" }), file.name);
    return this.send(path, { method: "POST", headers: { origin: this.origin }, body: form });
  }

  async signIn(email: string): Promise<void> {
    const res = await this.post("/login", { email, password: DEMO_PASSWORD });
    if (res.status !== 302 || !this.jar.has("sb_session")) {
      throw new Error(`${email} could not sign in: ${res.status} ${await res.text()}`);
    }
  }

  private async send(
    path: string,
    init: RequestInit & { headers: Record<string, string> },
    withhold: string[] = [],
  ) {
    const cookies = [...this.jar].filter(([k]) => !withhold.includes(k)).map(([k, v]) => `${k}=${v}`);
    const res = await fetch(this.origin + path, {
      ...init,
      redirect: "manual",
      headers: { ...init.headers, ...(cookies.length ? { cookie: cookies.join("; ") } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || pair!.slice(eq + 1) === "")
        this.jar.delete(name);
      else this.jar.set(name, pair!.slice(eq + 1));
    }
    return res;
  }
}
