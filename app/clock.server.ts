/**
 * The clock is a dependency: domain functions take `now` from here, so tests
 * move time instead of sleeping. With SWITCHBOARD_TEST_CLOCK=1 (end-to-end
 * tests only) a request may carry `x-test-now: <ISO date>`; without that
 * variable the header is ignored.
 */
export function now(request?: Request): Date {
  if (request && process.env.SWITCHBOARD_TEST_CLOCK === "1") {
    const forced = request.headers.get("x-test-now");
    if (forced && !Number.isNaN(Date.parse(forced))) return new Date(forced);
  }
  return new Date();
}
