/**
 * Password hashing: argon2id (@node-rs/argon2, a prebuilt native binding) with OWASP's
 * recommended cost (19 MiB, 2 iterations, 1 lane). better-auth stores the encoded hash in
 * accounts.password and calls these to hash and verify; the seed calls `hashPassword` once.
 *
 * Never logs or returns a password; a stored value that is not an argon2 hash verifies as false.
 */
import { hash, verify } from '@node-rs/argon2';

/** Argon2id (the `Algorithm` const enum cannot be read under isolatedModules: 2 is Argon2id). */
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(data: { hash: string; password: string }): Promise<boolean> {
  if (!data.hash.startsWith('$argon2')) return false;
  try {
    return await verify(data.hash, data.password);
  } catch {
    return false;
  }
}
