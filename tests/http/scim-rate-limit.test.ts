/**
 * The per-token rate limit over HTTP, against the built server started with
 * SCIM_RATE_LIMIT=1 (one request a second, bursts of two), its clock moved by
 * x-test-now: past the burst a token is answered 429 in SCIM's error shape
 * with Retry-After, another token is not, and after Retry-After it is served.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server.ts";
import { actorFor } from "../support/actors.ts";
import { createToken } from "../../app/provisioning/tokens.server.ts";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 27;
const NOW = Date.parse("2026-12-02T09:00:00Z");

let app: AppServer<{ okta: string; entra: string }>;
beforeAll(async () => {
  // This file's worker only: the server it starts inherits the environment.
  process.env.SCIM_RATE_LIMIT = "1";
  app = await startAppServer("http_scim_rate_limit", PORT, async (db) => {
    const ada = await actorFor(db, "ada@acme.test");
    const [okta, entra] = await Promise.all([
      createToken(db, ada, { name: "Okta" }, new Date()),
      createToken(db, ada, { name: "Entra ID" }, new Date()),
    ]);
    if (!okta.ok || !entra.ok) throw new Error("tokens");
    return { okta: okta.token, entra: entra.token };
  });
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const listAt = (token: string, ms: number) =>
  fetch(`${app.origin}/scim/v2/Users?count=1`, {
    headers: { Authorization: `Bearer ${token}`, "x-test-now": new Date(NOW + ms).toISOString() },
  });

describe("a token past its budget", () => {
  it("is answered 429 with Retry-After in SCIM's error shape, until the clock has refilled it", async () => {
    const { okta, entra } = app.prepared;
    expect((await listAt(okta, 0)).status).toBe(200);
    expect((await listAt(okta, 0)).status).toBe(200);
    const refused = await listAt(okta, 0);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(refused.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(await refused.json()).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "429",
      detail: "Too many requests with this token: at most 1 a second. Retry after 2 s.",
    });
    // Another token of the same company has its own budget.
    expect((await listAt(entra, 0)).status).toBe(200);
    // After Retry-After, served again.
    expect((await listAt(okta, 2_000)).status).toBe(200);
  });
});
