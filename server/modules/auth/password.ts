import { readFileSync } from 'node:fs';
import { hash, verify } from '@node-rs/argon2';
import { DomainError } from '../../lib/errors';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const params = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const hashPassword = (password: string) => hash(password, { ...params, algorithm: 2 /* Argon2id */ });

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A real hash of a throwaway password, verified when the e-mail is unknown so that
 * "no such user" takes as long as "wrong password" (no account enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export async function burnVerifyTime(password: string) {
  dummyHash ??= hashPassword('fundi-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}

/**
 * The most common passwords (ASVS 2.1.7, issue 15 §3): the top 10,000 of the ranked list zxcvbn-ts
 * ships (@zxcvbn-ts/language-common 4.1.3, MIT), kept here as those of 8 characters or more (shorter ones
 * never pass the length rule), lower-cased. Loaded once, on first use.
 */
let common: Set<string> | undefined;
function commonPasswords() {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  return common;
}

export const isCommonPassword = (password: string) => commonPasswords().has(password.trim().toLowerCase());

/** Refuses what an attacker tries first: all-whitespace passwords and the most common ones (VALIDATION). */
export function assertStrongPassword(password: string) {
  if (password.trim().length === 0) throw new DomainError('VALIDATION', 'A password cannot be only spaces.');
  if (isCommonPassword(password))
    throw new DomainError('VALIDATION', 'This password is one of the most common ones. Choose another.');
}
