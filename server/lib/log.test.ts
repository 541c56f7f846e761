import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { users } from '../../db/schema';
import { hashPassword } from '../modules/auth/password';
import { testDatabase } from '../test/harness';
import { log, setLogLevel } from './log';

/** Issue 15 §3: a failed query's parameters (a password hash, an e-mail, a phone) never reach the log. */
let database: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.dispose());
afterEach(() => {
  vi.restoreAllMocks();
  setLogLevel('error');
});

function captured() {
  const lines: string[] = [];
  setLogLevel('debug');
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('log redaction', () => {
  it('cuts the parameters of a failed sign-up query (hash, e-mail, phone) out of the error it logs', async () => {
    const hash = await hashPassword('a password nobody should read');
    const email = `leak.${Date.now()}@test.fundi.app`;
    const phone = '+2348099990000';
    // A failed insert into users, as a failed sign-up would make: PostgreSQL refuses the NUL (22021).
    const failure = await database.db
      .insert(users)
      .values({ email, passwordHash: hash, name: 'a\u0000b', phone, role: 'customer' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(Error);
    const lines = captured();
    // The two ways the server logs a failure: the error's text, and the error itself.
    log.error('procedure failed', { path: 'auth.signUp', error: String(failure) });
    log.error('procedure failed', { path: 'auth.signUp', error: failure });
    const out = lines.join('');
    expect(out).toContain('procedure failed');
    expect(out).toContain('insert into'); // the SQL (placeholders only) is kept: it says what failed
    for (const secret of [hash, email, phone, 'argon2id']) expect(out).not.toContain(secret);
  });

  it('redacts fields that name secrets or personal data, at any depth', () => {
    const lines = captured();
    log.warn('sign-in', {
      ip: '10.0.0.1',
      password: 'hunter2 hunter2',
      user: { email: 'ada@example.com', phone: '+2348031234567', name: 'kept' },
      headers: { authorization: 'Bearer abc.def', cookie: 'fundi_session=xyz' },
      token: 'tok_123',
    });
    const out = lines.join('');
    for (const secret of ['hunter2', 'ada@example.com', '+2348031234567', 'abc.def', 'xyz', 'tok_123'])
      expect(out).not.toContain(secret);
    expect(out).toContain('10.0.0.1');
    expect(out).toContain('kept');
  });
});
