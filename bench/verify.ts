// Before timing anything: the same requests must get the same answers from Fundi's uWS transport
// and from tRPC's standalone adapter, or the comparison would be between two different APIs.
import { isDeepStrictEqual } from 'node:util';

export type Reply = { status: number; body: unknown; text: string };
type Request = { method: 'GET' | 'POST'; path: string; token?: string; body?: unknown };

export type Check = {
  name: string;
  request: Request;
  /** Makes bodies comparable when a field legitimately differs between two calls (e.g. updatedAt). */
  normalise?: (body: unknown) => unknown;
  /** An extra expectation on Fundi's reply, beyond "same as the standalone adapter". */
  expect?: (reply: Reply) => string | null;
};

export type CheckResult = {
  name: string;
  pass: boolean;
  problems: string[];
  fundi: Reply;
  standalone: Reply;
};

export async function call(baseUrl: string, req: Request): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${req.path}`, {
    method: req.method,
    headers,
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Kept as text: a non-JSON body is itself a difference worth showing.
  }
  return { status: res.status, body, text };
}

/** Replaces `updatedAt` (at any depth) so two successive updates of the same row compare equal. */
export function withoutUpdatedAt(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUpdatedAt);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'updatedAt' ? '<updatedAt>' : withoutUpdatedAt(v)]),
    );
  }
  return value;
}

/** The checks, for a user whose token and e-mail are known. Order matters: reads before writes. */
export function checksFor(user: { token: string; email: string; password: string }): Check[] {
  const { token, email } = user;
  const isUser = (r: Reply) => {
    const data = (r.body as { result?: { data?: { email?: string } } }).result?.data;
    return data?.email === email ? null : `expected the signed-up user (${email}) in result.data`;
  };
  const status = (code: number) => (r: Reply) =>
    r.status === code ? null : `expected HTTP ${code}, got ${r.status}`;
  return [
    { name: 'auth.me with bearer', request: { method: 'GET', path: '/trpc/auth.me', token }, expect: isUser },
    {
      name: 'auth.me without auth → data null',
      request: { method: 'GET', path: '/trpc/auth.me' },
      expect: (r) =>
        isDeepStrictEqual(r.body, { result: { data: null } }) && r.status === 200
          ? null
          : 'expected 200 {"result":{"data":null}}',
    },
    {
      name: 'batch GET auth.me,auth.me',
      request: {
        method: 'GET',
        path: `/trpc/auth.me,auth.me?batch=1&input=${encodeURIComponent('{}')}`,
        token,
      },
      expect: (r) => (Array.isArray(r.body) && r.body.length === 2 ? null : 'expected an array of 2 results'),
    },
    {
      name: 'auth.updateMe without auth → 401',
      request: { method: 'POST', path: '/trpc/auth.updateMe', body: { name: 'Nobody' } },
      expect: status(401),
    },
    {
      name: 'auth.updateMe invalid input → 400',
      request: { method: 'POST', path: '/trpc/auth.updateMe', token, body: { name: '' } },
      expect: status(400),
    },
    {
      name: 'GET on a mutation → 405',
      request: { method: 'GET', path: '/trpc/auth.updateMe', token },
      expect: status(405),
    },
    {
      name: 'unknown procedure → 404',
      request: { method: 'GET', path: '/trpc/auth.nothingHere', token },
      expect: status(404),
    },
    {
      name: 'auth.signUp duplicate e-mail → 409',
      request: {
        method: 'POST',
        path: '/trpc/auth.signUp',
        body: { email, password: user.password, name: 'Duplicate', role: 'customer' },
      },
      expect: status(409),
    },
    {
      name: 'auth.updateMe with bearer',
      request: { method: 'POST', path: '/trpc/auth.updateMe', token, body: { name: 'Bench Verify' } },
      normalise: withoutUpdatedAt,
      expect: (r) => {
        const data = (r.body as { result?: { data?: { name?: string; updatedAt?: string } } }).result?.data;
        if (data?.name !== 'Bench Verify') return 'expected the new name in result.data';
        return Number.isNaN(Date.parse(data.updatedAt ?? '')) ? 'expected an ISO updatedAt' : null;
      },
    },
    // After the write both servers must read the new row (a stale session cache would still say the old name).
    {
      name: 'auth.me after update sees the new name',
      request: { method: 'GET', path: '/trpc/auth.me', token },
      expect: (r) => {
        const data = (r.body as { result?: { data?: { name?: string } } }).result?.data;
        return (
          isUser(r) ??
          (data?.name === 'Bench Verify' ? null : `expected name "Bench Verify", got ${data?.name}`)
        );
      },
    },
  ];
}

/** Sends each check to Fundi, then to the standalone adapter, and compares status and parsed body. */
export async function runChecks(
  checks: Check[],
  fundiUrl: string,
  standaloneUrl: string,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const fundi = await call(fundiUrl, check.request);
    const standalone = await call(standaloneUrl, check.request);
    const normalise = check.normalise ?? ((b: unknown) => b);
    const problems: string[] = [];
    if (fundi.status !== standalone.status)
      problems.push(`status ${fundi.status} (Fundi) ≠ ${standalone.status} (standalone)`);
    if (!isDeepStrictEqual(normalise(fundi.body), normalise(standalone.body))) problems.push('bodies differ');
    const expectation = check.expect?.(fundi);
    if (expectation) problems.push(expectation);
    results.push({ name: check.name, pass: problems.length === 0, problems, fundi, standalone });
  }
  return results;
}

export function printChecks(title: string, results: CheckResult[]) {
  console.log(`\n${title}`);
  for (const r of results) {
    console.log(`  ${r.pass ? 'PASS' : 'FAIL'}  ${r.name}`);
    if (r.pass) continue;
    for (const p of r.problems) console.log(`        ${p}`);
    console.log(`        Fundi      ${r.fundi.status} ${r.fundi.text}`);
    console.log(`        standalone ${r.standalone.status} ${r.standalone.text}`);
  }
}
