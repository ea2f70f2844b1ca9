/**
 * zod compiles its object parsers with `new Function`, after probing whether
 * it may; under our Content-Security-Policy (no 'unsafe-eval') the browser
 * reports that probe as a violation. Jitless, zod never tries, and validates
 * the same. Imported first by root.tsx: the root route module is evaluated
 * before any other route's, so this runs before a schema is built.
 */
import { z } from "zod";

z.config({ jitless: true });
