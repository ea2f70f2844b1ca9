/**
 * Phone numbers are stored as E.164 and shown to people in the
 * international format of their country (libphonenumber-js knows each
 * country's grouping). Formatting happens on the server, so the browser
 * never downloads the metadata.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import type { AddonLicenseType, NumberKind } from "../../db/schema.ts";
import type { UserNumber } from "../ui/user-numbers.tsx";

// Formatting costs tens of microseconds a number; a page of users shows fifty.
const formatted = new Map<string, string>();
const FORMAT_CACHE_SIZE = 50_000;

export function formatNumber(e164: string | null | undefined): string | null {
  if (!e164) return null;
  let text = formatted.get(e164);
  if (text === undefined) {
    text = parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
    if (formatted.size >= FORMAT_CACHE_SIZE) formatted.clear();
    formatted.set(e164, text);
  }
  return text;
}

/** A user's number as their page and Manage phone numbers show it (UserNumbersTable), from its row. */
export const userNumber = (n: {
  id: number;
  e164: string;
  kind: NumberKind;
  is_primary: boolean;
  addon_license_type: AddonLicenseType | null;
}): UserNumber => ({
  id: n.id,
  e164: n.e164,
  formatted: formatNumber(n.e164)!,
  kind: n.kind,
  isPrimary: n.is_primary,
  addon: n.addon_license_type,
});

/**
 * A number typed by a person, read in the given country when it has no
 * country code. Returns its E.164 form, or null if it is not a valid number.
 */
export function parseTypedNumber(input: string, defaultCountry?: string): string | null {
  const parsed = parsePhoneNumberFromString(input, defaultCountry as CountryCode | undefined);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * The digits a search for a number should match inside an E.164 number's
 * digits, or null if the text is not a number. "+1 (415) 555-0100",
 * "4155550100" and "555 0100" all give digits found in "14155550100"; a
 * national trunk prefix ("020 7946 0000") is dropped so it matches
 * "442079460000".
 */
export function searchDigits(text: string): string | null {
  if (!/^[\d\s()+.\-/]+$/.test(text)) return null;
  // "+44 (0)20…": the (0) is the trunk prefix written beside the country code.
  let digits = text.replace(/\(0\)/g, "").replace(/\D/g, "");
  if (!text.trim().startsWith("+") && digits.length >= 7) digits = digits.replace(/^0+/, "");
  return digits.length >= 3 ? digits : null;
}
