/**
 * A short message carried across a redirect after POST ("Settings saved."),
 * in a cookie the next page reads once.
 */
import { readCookie, serializeCookie } from "./cookies.server.ts";

const FLASH_COOKIE = "sb_flash";

export function flashCookie(request: Request, message: string): string {
  return serializeCookie(request, FLASH_COOKIE, message.slice(0, 500), { maxAge: 60 });
}

export function readFlash(request: Request): string | null {
  return readCookie(request, FLASH_COOKIE) ?? null;
}

/** Clears the message once shown, unless this response carries a new one. */
export function clearFlashIfShown(request: Request, response: Response): void {
  if (!readFlash(request)) return;
  const setting = response.headers.getSetCookie().some((c) => c.startsWith(`${FLASH_COOKIE}=`));
  if (!setting)
    response.headers.append("Set-Cookie", serializeCookie(request, FLASH_COOKIE, "", { maxAge: 0 }));
}
