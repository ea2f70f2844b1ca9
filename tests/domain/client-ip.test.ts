/** Whose address the audit log, sessions and sign-in attempts keep: the socket's, or a trusted proxy's word. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { RouterContextProvider } from "react-router";
import { clientIp } from "../../app/auth/cookies.server.ts";
import { socketAddressContext } from "../../app/http/socket-address.server.ts";

const SOCKET = "192.0.2.10";
const context = (address: string | null = SOCKET) =>
  new RouterContextProvider(new Map([[socketAddressContext, address]]));
const request = (headers: Record<string, string>) => new Request("http://localhost/", { headers });
const forged = { "x-forwarded-for": "198.51.100.7", "x-real-ip": "198.51.100.8" };

afterEach(() => vi.unstubAllEnvs());

describe("clientIp", () => {
  it("is the socket's address whatever the client says, without TRUST_PROXY", () => {
    expect(clientIp(request(forged), context())).toBe(SOCKET);
    expect(clientIp(request({}), context())).toBe(SOCKET);
    // Outside the production server (the dev server) there is no address to give.
    expect(clientIp(request(forged), context(null))).toBeNull();
  });

  it("is what the one proxy in front saw, with TRUST_PROXY=1", () => {
    vi.stubEnv("TRUST_PROXY", "1");
    // The proxy appends the address it saw: entries before it are the client's word.
    expect(clientIp(request({ "x-forwarded-for": "198.51.100.7, 203.0.113.5" }), context())).toBe(
      "203.0.113.5",
    );
    expect(clientIp(request({ "x-real-ip": "2001:db8::1" }), context())).toBe("2001:db8::1");
    expect(clientIp(request({ "x-forwarded-for": "<script>" }), context())).toBe(SOCKET);
    expect(clientIp(request({}), context())).toBe(SOCKET);
  });
});
