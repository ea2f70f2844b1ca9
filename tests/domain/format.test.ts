/**
 * app/ui/format.ts's dates: its formatters are built once per style and time
 * zone and kept, so each call must still get the zone and the style it asks for.
 */
import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime } from "../../app/ui/format.ts";

const LATE_EVENING_UTC = "2026-12-04T23:30:00Z";

describe("formatDate and formatDateTime", () => {
  it("format in the time zone asked for, UTC when none is, whichever was formatted before", () => {
    expect(formatDateTime(LATE_EVENING_UTC, "Asia/Tokyo")).toBe("Dec 5, 2026, 8:30 AM GMT+9");
    expect(formatDateTime(LATE_EVENING_UTC)).toBe("Dec 4, 2026, 11:30 PM UTC");
    expect(formatDateTime(LATE_EVENING_UTC, null)).toBe("Dec 4, 2026, 11:30 PM UTC");
    expect(formatDateTime(LATE_EVENING_UTC, "America/Los_Angeles")).toBe("Dec 4, 2026, 3:30 PM PST");
    expect(formatDate(LATE_EVENING_UTC, "Asia/Tokyo")).toBe("Dec 5, 2026");
    expect(formatDate(LATE_EVENING_UTC)).toBe("Dec 4, 2026");
    expect(formatDateTime(LATE_EVENING_UTC, "Asia/Tokyo")).toBe("Dec 5, 2026, 8:30 AM GMT+9");
  });

  it("say a missing date is none", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDateTime(undefined, "Asia/Tokyo")).toBe("—");
  });
});
