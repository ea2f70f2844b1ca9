/**
 * Passwords are hashed with scrypt (node:crypto), a slow, memory-hard KDF.
 * Stored as "scrypt$N$r$p$salt$hash" so the cost can be raised later and
 * old hashes still verify.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

type Cost = { N: number; r: number; p: number };

const COST: Cost = { N: 16384, r: 8, p: 1 };
const KEYLEN = 32;

export async function hashPassword(password: string, cost: Cost = COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, cost);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * The cost of the demo accounts' one shared password: the production cost,
 * unless SWITCHBOARD_DEMO_PASSWORD_COST=test, which the test suites set
 * (vitest.config.ts, playwright.config.ts) because they sign the demo people
 * in hundreds of times on two cores. That password is published in the
 * README, so its hash protects nothing; every password a person sets, and
 * the dummy hash for unknown emails, keep the production cost.
 */
export function demoPasswordCost(env: NodeJS.ProcessEnv = process.env): Cost {
  return env.SWITCHBOARD_DEMO_PASSWORD_COST === "test" ? { N: 1024, r: 8, p: 1 } : COST;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  // Without a stored hash, still spend the time: the answer's delay must not
  // tell whether the account exists.
  const [scheme, N, r, p, salt, hash] = (stored ?? DUMMY_HASH).split("$");
  if (scheme !== "scrypt") return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scrypt(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return stored !== null && timingSafeEqual(key, expected);
}

const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
