import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appErrorCodes } from '#shared/errors';
import { webhookEventTypes } from '../contracts/developer';
import { keyScopes } from '../modules/developer/scopes';
import { appRouter, fastPaths } from '../trpc/root';
import { exampleInputs } from './examples';
import { renderDocsHtml } from './html';
import { toOpenApi } from './openapi';
import { buildReference, CLIENT_PACKAGE_VERSION } from './reference';

const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: string; inputs: unknown[]; output?: unknown; meta?: { events?: unknown } } }
>;
const ref = buildReference(appRouter, { keyScopes, fastPaths: Object.keys(fastPaths) });
const byPath = new Map(ref.procedures.map((p) => [p.path, p]));
const publicPaths = Object.keys(keyScopes);

describe('the generated reference', () => {
  it('lists every procedure of the router, and nothing else', () => {
    expect(ref.procedures.map((p) => p.path).sort()).toEqual(Object.keys(procedures).sort());
    for (const [path, proc] of Object.entries(procedures))
      expect(byPath.get(path)!.type).toBe(proc._def.type);
  });

  it('every procedure an API key may call exists and is public, the others are not', () => {
    for (const path of publicPaths) expect(procedures[path], path).toBeDefined();
    expect(
      ref.procedures
        .filter((p) => p.public)
        .map((p) => p.path)
        .sort(),
    ).toEqual([...publicPaths].sort());
    for (const p of ref.procedures.filter((x) => !x.public)) {
      expect(p.auth.apiKey).toBeNull();
      expect(p.examples).toBeNull();
    }
  });

  it('every public procedure has an output schema attached in its router (subscriptions: their events)', () => {
    for (const path of publicPaths) {
      const def = procedures[path]!._def;
      const schema = def.type === 'subscription' ? def.meta?.events : def.output;
      expect(schema instanceof z.ZodType, `${path} has no output schema`).toBe(true);
      const p = byPath.get(path)!;
      expect(Object.keys(p.output ?? {}).length, path).toBeGreaterThan(0);
      expect(p.description, path).toBeTruthy();
    }
  });

  it('every input schema is in the reference, and every example input passes it', () => {
    for (const [path, proc] of Object.entries(procedures)) {
      expect(byPath.get(path)!.input === null, path).toBe(proc._def.inputs.length === 0);
    }
    for (const path of publicPaths) {
      const input = procedures[path]!._def.inputs[0];
      if (!input) {
        expect(exampleInputs[path], path).toBeUndefined();
        continue;
      }
      const parsed = (input as z.ZodType).safeParse(exampleInputs[path]);
      expect(parsed.success, `${path}: ${parsed.error?.message}`).toBe(true);
      const { examples } = byPath.get(path)!;
      expect(examples!.typescript).toContain(`fundi.${path}.`);
      expect(examples!.curl).toContain(path);
    }
  });

  it('states auth from the procedure builders and the scope table', () => {
    expect(byPath.get('catalog.categories')!.auth).toEqual({ session: 'anyone', apiKey: { scope: null } });
    expect(byPath.get('booking.create')!.auth).toEqual({
      session: { roles: ['customer'] },
      apiKey: { scope: 'bookings:write' },
    });
    expect(byPath.get('booking.get')!.auth).toEqual({
      session: 'signed-in',
      apiKey: { scope: 'bookings:read' },
    });
    expect(byPath.get('admin.users.search')!.auth).toEqual({ session: { roles: ['admin'] }, apiKey: null });
  });

  it('lists every app error code with its tRPC code and HTTP status, and each procedure’s likely errors', () => {
    expect(ref.errors.codes.map((c) => c.appCode)).toEqual([...appErrorCodes]);
    const status = Object.fromEntries(ref.errors.codes.map((c) => [c.appCode, c.httpStatus]));
    expect(status).toMatchObject({
      NOT_FOUND: 404,
      FORBIDDEN_ROLE: 403,
      UNAUTHENTICATED: 401,
      VALIDATION: 400,
    });
    expect(status.RATE_LIMITED).toBe(429);
    const codes = (path: string) => byPath.get(path)!.errors.map((e) => e.appCode);
    expect(codes('booking.create')).toEqual(
      expect.arrayContaining(['VALIDATION', 'UNAUTHENTICATED', 'FORBIDDEN_ROLE', 'OUT_OF_AREA', 'CONFLICT']),
    );
    expect(codes('market.list')).not.toContain('UNAUTHENTICATED');
    expect(codes('market.list')).not.toContain('VALIDATION');
  });

  it('describes the fast paths by hand', () => {
    for (const path of Object.keys(fastPaths)) expect(byPath.get(path)!.fastPath).toMatch(/fast path/);
    expect(byPath.get('booking.get')!.fastPath).toBeNull();
  });

  it('documents every webhook event with its payload schema and the signature scheme', () => {
    expect(ref.webhooks.events.map((e) => e.type)).toEqual([...webhookEventTypes, 'webhook.test']);
    for (const e of ref.webhooks.events) expect(e.data).toMatchObject({ type: 'object' });
    expect(ref.webhooks.signature.toleranceSeconds).toBe(300);
    expect(ref.webhooks.headers.map((h) => h.name)).toContain('Fundi-Signature');
  });

  it('OpenAPI 3.1 covers the public queries (GET) and mutations (POST), not subscriptions', () => {
    const doc = toOpenApi(ref) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ref.procedures.filter((x) => x.public)) {
      const item = doc.paths[`/trpc/${p.path}`];
      if (p.type === 'subscription') expect(item).toBeUndefined();
      else expect(Object.keys(item!)).toEqual([p.type === 'query' ? 'get' : 'post']);
    }
  });

  it('Getting started says how to get @fundi/client, and how to do without it (plain @trpc/client)', () => {
    const sdk = JSON.parse(readFileSync(new URL('../../sdk/package.json', import.meta.url), 'utf8')) as {
      name: string;
      version: string;
    };
    // The tarball npm pack names after the package's version: the docs name the same file.
    expect(CLIENT_PACKAGE_VERSION).toBe(sdk.version);
    expect(ref.client).toMatchObject({ package: sdk.name, version: sdk.version });
    const tarball = `fundi-client-${sdk.version}.tgz`;
    expect(ref.client.install).toContain('npm run build:client-sdk');
    expect(ref.client.install).toContain(`build/client-sdk/${tarball}`);
    expect(ref.client.install).toContain(`npm install ./${tarball}`);
    expect(ref.client.usage).toContain("from '@fundi/client'");
    expect(ref.client.usage).toContain('createFundiClient(');
    const plain = ref.client.plainTrpc;
    expect(plain).toContain("from '@trpc/client'");
    expect(plain).not.toMatch(/import \{[^}]*\} from '@fundi\/client'/); // types only from the package
    for (const word of ['createTRPCClient<AppRouter>', 'httpBatchLink(', 'wsLink(', 'createWSClient(']) {
      expect(plain).toContain(word);
    }
    expect(plain).toMatch(/authorization: 'Bearer ' \+ apiKey/);
    expect(plain).toContain('connectionParams: { token: apiKey }');
    const html = renderDocsHtml(ref);
    const start = html.slice(html.indexOf('id="start"'), html.indexOf('id="scopes"'));
    for (const text of ['npm run build:client-sdk', `npm install ./${tarball}`, 'httpBatchLink', 'wsLink'])
      expect(start).toContain(text);
    expect(start).toContain('connectionParams: { token: apiKey }');
  });

  it('the page has lang and dir, a viewport, each public procedure, and escapes what it prints', () => {
    const html = renderDocsHtml(ref);
    expect(html).toMatch(/<html lang="en" dir="ltr">/);
    expect(html).toContain('name="viewport"');
    for (const path of publicPaths) expect(html).toContain(`id="p-${path.replace(/\./g, '-')}"`);
    expect(html).not.toMatch(/<script/i);
    const tricky = renderDocsHtml({ ...ref, title: '<b>x</b>' });
    expect(tricky).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
