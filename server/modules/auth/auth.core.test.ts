import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../../db/schema';
import { DomainError } from '../../lib/errors';
import { createBackoff, createRateLimiter } from '../../lib/rate-limit';
import { until } from '../../test/fixtures';
import { testDatabase, uniqueEmail } from '../../test/harness';
import { createAuthRepo } from './auth.repo';
import { createAuthService } from './auth.service';
import { createSessionStore, SESSION_RENEW_WITHIN_MS, SESSION_TTL_MS, sessionIdFromToken } from './session';

let database: Awaited<ReturnType<typeof testDatabase>>;
let clock = Date.now();
const setup = () => {
  const repo = createAuthRepo(database.db);
  const sessions = createSessionStore(repo, () => clock);
  const auth = createAuthService({
    repo,
    sessions,
    limiter: createRateLimiter({ limit: 1000, windowMs: 60_000 }),
  });
  return { repo, sessions, auth };
};

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.dispose());

const signUpInput = (email = uniqueEmail()) => ({
  email,
  password: 'correct horse battery',
  name: 'Amina',
  role: 'customer' as const,
});

async function domainCode(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('sessions (Lucia design)', () => {
  it('issues ≥120-bit random tokens and stores only their SHA-256', async () => {
    const { auth } = setup();
    const a = await auth.signUp(signUpInput(), 'ip');
    const b = await auth.signIn({ email: a.user.email, password: 'correct horse battery' }, 'ip');
    expect(a.token).toMatch(/^[a-z2-7]{32}$/); // 32 base32 chars = 160 bits
    expect(a.token).not.toBe(b.token);
    const rows = await database.db.select().from(sessions).where(eq(sessions.userId, a.user.id));
    expect(rows.map((r) => r.id).sort()).toEqual(
      [sessionIdFromToken(a.token), sessionIdFromToken(b.token)].sort(),
    );
    expect(rows.some((r) => r.id === a.token || r.id === b.token)).toBe(false);
  });

  it('expires after 30 days and renews when under 15 days remain', async () => {
    const { auth, sessions: store } = setup();
    clock = Date.now();
    const { token, expiresAt } = await auth.signUp(signUpInput(), 'ip');
    expect(expiresAt.getTime()).toBe(clock + SESSION_TTL_MS);

    clock += SESSION_TTL_MS - SESSION_RENEW_WITHIN_MS - 60_000; // 15 days + 1 min left: no renewal
    const early = await store.validate(token);
    expect(early?.renewed).toBe(false);
    expect(early?.expiresAt.getTime()).toBe(expiresAt.getTime());

    clock += 2 * 60_000; // just under 15 days left: renewed to a full 30 days
    const renewed = await store.validate(token);
    expect(renewed?.renewed).toBe(true);
    expect(renewed?.expiresAt.getTime()).toBe(clock + SESSION_TTL_MS);

    clock += SESSION_TTL_MS + 1; // past expiry: gone, and deleted
    expect(await store.validate(token)).toBeNull();
    const left = await database.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionIdFromToken(token)));
    expect(left).toHaveLength(0);
    clock = Date.now();
  });

  it('serves repeat validations from memory, and sees sign-outs and profile changes at once', async () => {
    const repo = createAuthRepo(database.db);
    let reads = 0;
    const counted = {
      ...repo,
      findSessionWithUser: (id: string) => {
        reads++;
        return repo.findSessionWithUser(id);
      },
    };
    const store = createSessionStore(counted);
    const auth = createAuthService({
      repo: counted,
      sessions: store,
      limiter: createRateLimiter({ limit: 99, windowMs: 1 }),
    });
    const { token, user } = await auth.signUp(signUpInput(), 'ip');
    for (let i = 0; i < 5; i++) expect((await store.validate(token))?.user.name).toBe('Amina');
    expect(reads).toBe(1);
    await auth.updateMe(user.id, { name: 'Amina B.' });
    expect((await store.validate(token))?.user.name).toBe('Amina B.');
    expect(reads).toBe(2);
    await auth.signOut(sessionIdFromToken(token));
    expect(await store.validate(token)).toBeNull();
  });

  it('reads sessions in use again in the background, together, before they lapse; a sign-out meanwhile wins', async () => {
    const repo = createAuthRepo(database.db);
    let single = 0;
    const batches: string[][] = [];
    let hold: Promise<void> | undefined;
    const counted = {
      ...repo,
      findSessionWithUser: (id: string) => {
        single++;
        return repo.findSessionWithUser(id);
      },
      sessionsWithUsers: async (ids: string[]) => {
        batches.push(ids);
        const rows = await repo.sessionsWithUsers(ids);
        await hold;
        return rows;
      },
    };
    let t = Date.now();
    const store = createSessionStore(counted, () => t);
    const auth = createAuthService({
      repo: counted,
      sessions: store,
      limiter: createRateLimiter({ limit: 99, windowMs: 1 }),
    });
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push((await auth.signUp(signUpInput(), 'ip')).token);
    for (const token of tokens) expect(await store.validate(token)).not.toBeNull();
    expect(single).toBe(3);
    // Used again within 10 s: nothing to read.
    t += 8_000;
    for (const token of tokens) expect(await store.validate(token)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 700));
    expect(batches).toHaveLength(0);

    // 25 s after its read (of the 30 s an entry is trusted): answered from memory, re-read behind.
    t += 17_000;
    for (const token of tokens) expect(await store.validate(token)).not.toBeNull();
    expect(single).toBe(3);
    await until(async () => batches.length === 1);
    expect(batches[0]!.sort()).toEqual(tokens.map(sessionIdFromToken).sort());
    await new Promise((r) => setTimeout(r, 50));
    // 40 s after the first read: past its 30 s, but the background read renewed the entries (15 s old
    // now, so read again behind this use).
    t += 15_000;
    for (const token of tokens) expect(await store.validate(token)).not.toBeNull();
    expect(single).toBe(3);
    await until(async () => batches.length === 2);
    await new Promise((r) => setTimeout(r, 50));

    // A sign-out while a background read is on its way: that read does not put the session back.
    t += 15_000;
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    expect(await store.validate(tokens[0]!)).not.toBeNull();
    await until(async () => batches.length === 3);
    await auth.signOut(sessionIdFromToken(tokens[0]!));
    release();
    await new Promise((r) => setTimeout(r, 50));
    expect(await store.validate(tokens[0]!)).toBeNull();
  });

  it('does not let a lookup that raced a sign-out put the session back in the cache', async () => {
    const repo = createAuthRepo(database.db);
    let hold: (() => void) | undefined;
    const slow = {
      ...repo,
      // The lookup reads the row, then stalls before returning, while the sign-out commits.
      findSessionWithUser: async (id: string) => {
        const row = await repo.findSessionWithUser(id);
        if (hold === undefined) await new Promise<void>((r) => (hold = r));
        return row;
      },
    };
    const store = createSessionStore(slow);
    const auth = createAuthService({
      repo: slow,
      sessions: store,
      limiter: createRateLimiter({ limit: 99, windowMs: 1 }),
    });
    const { token } = await auth.signUp(signUpInput(), 'ip');
    const racing = store.validate(token);
    while (!hold) await new Promise((r) => setTimeout(r, 1));
    await auth.signOut(sessionIdFromToken(token));
    hold();
    expect(await racing).not.toBeNull(); // it started before the sign-out: fine to answer once
    expect(await store.validate(token)).toBeNull(); // but it must not have been cached
  });

  it('invalidates on sign-out and rejects malformed tokens', async () => {
    const { auth, sessions: store } = setup();
    const { token } = await auth.signUp(signUpInput(), 'ip');
    const s = await store.validate(token);
    expect(s).not.toBeNull();
    await auth.signOut(s!.id);
    expect(await store.validate(token)).toBeNull();
    expect(await store.validate('not-a-token')).toBeNull();
    expect(await store.validate(`${token.slice(0, -1)}a`)).toBeNull();
  });
});

describe('accounts', () => {
  it('hashes passwords with argon2id at ≥19 MiB and t ≥ 2', async () => {
    const { auth } = setup();
    const { user } = await auth.signUp(signUpInput(), 'ip');
    const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('gives the same error for an unknown e-mail and a wrong password', async () => {
    const { auth } = setup();
    const { user } = await auth.signUp(signUpInput(), 'ip');
    const wrong = await domainCode(auth.signIn({ email: user.email, password: 'wrong password' }, 'ip'));
    const unknown = await domainCode(
      auth.signIn({ email: uniqueEmail('nobody'), password: 'whatever1' }, 'ip'),
    );
    expect(wrong).toBe('INVALID_CREDENTIALS');
    expect(unknown).toBe('INVALID_CREDENTIALS');
  });

  it('treats e-mails case-insensitively, and the database enforces it under a race', async () => {
    const { auth, repo } = setup();
    const email = uniqueEmail('Race');
    const variants = [
      email,
      email.toUpperCase(),
      email.toLowerCase(),
      `${email[0]!.toUpperCase()}${email.slice(1)}`,
    ];
    // Straight to the repo, bypassing the schema's lower-casing: only the unique index on lower(email) can stop it.
    const results = await Promise.allSettled(
      variants.map((e) => repo.insertUser({ email: e, passwordHash: 'x', name: 'Race', role: 'customer' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const codes = await Promise.all(
      [1, 2, 3].map(() => domainCode(auth.signUp({ ...signUpInput(email.toUpperCase()) }, 'ip'))),
    );
    expect(codes).toEqual(['EMAIL_TAKEN', 'EMAIL_TAKEN', 'EMAIL_TAKEN']);
    const signedIn = await auth.signIn({ email: email.toUpperCase(), password: 'x' }, 'ip').catch((e) => e);
    expect(signedIn).toBeInstanceOf(DomainError);
  });

  it('slows sign-in attempts per account down (from any address) after the free ones', async () => {
    const repo = createAuthRepo(database.db);
    const auth = createAuthService({
      repo,
      sessions: createSessionStore(repo),
      limiter: createRateLimiter({ limit: 1000, windowMs: 60_000 }),
      backoff: createBackoff({ freeAttempts: 3, maxMs: 60_000 }),
    });
    const email = uniqueEmail('limited');
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(await domainCode(auth.signIn({ email, password: 'wrong password' }, `10.0.0.${i}`)));
    }
    expect(codes).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
  });

  it('creates admins only through ensureAdmin, idempotently', async () => {
    const { auth, repo } = setup();
    const email = uniqueEmail('admin');
    expect(await auth.ensureAdmin(email, 'admin password 1')).toEqual({ created: true });
    expect(await auth.ensureAdmin(email, 'admin password 1')).toEqual({ created: false });
    expect((await repo.findUserByEmail(email))?.role).toBe('admin');
    const customer = await auth.signUp(signUpInput(), 'ip');
    expect(await domainCode(auth.ensureAdmin(customer.user.email, 'admin password 1'))).toBe('CONFLICT');
  });

  it('announces a technician’s sign-up (not a customer’s); a failed announcement does not fail it', async () => {
    const repo = createAuthRepo(database.db);
    const joined: string[] = [];
    let fail = false;
    const auth = createAuthService({
      repo,
      sessions: createSessionStore(repo, () => clock),
      limiter: createRateLimiter({ limit: 1000, windowMs: 60_000 }),
      technicianJoined: async (id) => {
        if (fail) throw new Error('bus down');
        joined.push(id);
      },
    });
    await auth.signUp(signUpInput(), 'ip');
    expect(joined).toEqual([]);
    const tech = await auth.signUp({ ...signUpInput(), role: 'technician' }, 'ip');
    expect(joined).toEqual([tech.user.id]);
    fail = true;
    const other = await auth.signUp({ ...signUpInput(), role: 'technician' }, 'ip');
    expect(other.token).toBeTruthy();
    expect(joined).toEqual([tech.user.id]);
  });
});
