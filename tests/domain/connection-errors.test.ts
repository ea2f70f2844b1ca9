/**
 * Which errors from `pg` mean the database is out of reach (the pages answer
 * 503 "Temporarily unavailable", app/db.server.ts) rather than that a
 * statement failed (a 500). The whole path, a server cut off mid-request, is
 * tests/domain/faults.test.ts's.
 */
import { describe, expect, it } from "vitest";
import { isConnectionError } from "../../db/connect.ts";

const withCode = (code: string, message = "failed") => Object.assign(new Error(message), { code });

describe("isConnectionError", () => {
  it("is a lost socket, a connection exception, a server stopping or starting, or no connection slot left", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "08006", "08001", "57P01", "57P02", "57P03", "53300"])
      expect(isConnectionError(withCode(code)), code).toBe(true);
    expect(isConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isConnectionError(new Error("timeout exceeded when trying to connect"))).toBe(true);
  });

  it("is not a statement's own failure", () => {
    for (const code of ["23505", "40001", "40P01", "22P02", "57014", "53200"])
      expect(isConnectionError(withCode(code)), code).toBe(false);
    expect(isConnectionError("08006")).toBe(false);
  });
});
