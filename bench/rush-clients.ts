// The people in bench/rush.ts, through the public API only: customers (tRPC over HTTP) and technicians
// (HTTP for mutations, their own WebSocket for the live `technician.offers` subscription, as the PWA).

import http from 'node:http';
import { createTRPCClient, createWSClient, httpLink, splitLink, TRPCClientError, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import { approveThroughOnboarding } from '../scripts/approve-technician';
import type { OfferEvent } from '../server/contracts/technician';
import type { AppRouter } from '../server/trpc/root';
import type { RushServer } from './rush-server';

export type Api = ReturnType<typeof createTRPCClient<AppRouter>>;
export type Point = { lat: number; lng: number };

// uWS closes an HTTP connection idle for 10 s; a pooled socket reused just as it does so fails with
// "socket hang up" (one such error in a quiet run at 30/s). Free sockets are dropped after 5 s instead.
const agent = new http.Agent({ keepAlive: true, timeout: 5_000 });

/**
 * Just what tRPC's httpLink uses of `fetch` (status and `json()`), on node:http with keep-alive: Node's
 * fetch (undici, web streams, abort signals) cost the generator about 15 ms of CPU per job, which on its
 * one core would cap the rush near 65 jobs/s. BENCH_RUSH_FETCH=global uses Node's fetch instead.
 */
function lightFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const url = new URL(String(input));
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const headers: Record<string, string> = { ...(init?.headers as Record<string, string> | undefined) };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: init?.method ?? 'GET',
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: res.statusMessage ?? '',
            json: async () => JSON.parse(text),
            text: async () => text,
          } as unknown as Response);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const fetchImpl = process.env.BENCH_RUSH_FETCH === 'global' ? undefined : lightFetch;

export function httpApi(server: RushServer, token?: string): Api {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        fetch: fetchImpl,
        url: `${server.url}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

/** Mutations over HTTP, subscriptions over one WebSocket of its own. */
export function liveApi(server: RushServer, token: string) {
  const ws = createWSClient({
    url: server.wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: { token },
    retryDelayMs: () => 500,
  });
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: ws }),
        false: httpLink({
          fetch: fetchImpl,
          url: `${server.url}/trpc`,
          headers: () => ({ authorization: `Bearer ${token}` }),
        }),
      }),
    ],
  });
  return { api, ws };
}

/**
 * A mutation as tRPC's httpLink sends it: POST /trpc/<path>, the input as the JSON body, the bearer token;
 * its answer's `result.data`, or its `error` thrown as the TRPCClientError the client would throw. Without
 * the client's links, observables and per-call AbortController: in a CPU profile of the generator in a
 * rush (`node --cpu-prof … bench/rush.ts`) those were about a third of its JavaScript, an aborted
 * controller and its DOMException after every call. The job's calls (create, accept, advance) use this;
 * the set-up keeps the tRPC client.
 */
export type Call = <T = unknown>(path: string, input: unknown) => Promise<T>;
export function caller(server: RushServer, token: string): Call {
  const doFetch = fetchImpl ?? fetch;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  return async <T>(path: string, input: unknown) => {
    const res = await doFetch(`${server.url}/trpc/${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(input),
    });
    const json = (await res.json()) as { result?: { data: T }; error?: unknown };
    if (json.error !== undefined || !json.result) throw TRPCClientError.from(json as never);
    return json.result.data;
  };
}

/** A short label for an error: the tRPC code (CONFLICT, TOO_MANY_REQUESTS…) or the message. */
export function errorLabel(e: unknown): string {
  if (e instanceof TRPCClientError) {
    const code = (e.data as { code?: string } | undefined)?.code;
    if (code) return code;
    return e.message.slice(0, 60) || 'TRPCClientError';
  }
  return (e instanceof Error ? e.message : String(e)).slice(0, 60);
}

/**
 * Refused by the overload shedding (OVERLOADED). A per-customer limit (RATE_LIMITED, also
 * TOO_MANY_REQUESTS) is not shedding: it is counted as an error.
 */
export function isShed(e: unknown): boolean {
  if (errorLabel(e) !== 'TOO_MANY_REQUESTS') return false;
  const appCode = ((e as TRPCClientError<never>).data as { appCode?: string } | undefined)?.appCode;
  return appCode === undefined || appCode === 'OVERLOADED';
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export async function signUp(server: RushServer, role: 'customer' | 'technician', tag: string, i: number) {
  const r = await httpApi(server).auth.signUp.mutate({
    email: `rush-${tag}-${role}-${i}@bench.fundi.app`,
    password: `rush ${role} password ${i}`,
    name: `Rush ${role} ${i}`,
    role,
  });
  return { id: r.user.id, token: r.token };
}

export type Technician = {
  index: number;
  id: string;
  token: string;
  at: Point;
  api: Api;
  /** The job's calls (see `caller`). */
  call: Call;
  ws: ReturnType<typeof createWSClient>;
  unsubscribe: () => void;
};

/**
 * A technician as the PWA makes one ready: signed up, offering `serviceId`, approved by the admin, the
 * offers subscription live on a WebSocket, then online at `at`. `onOffer` gets every offer event.
 */
export async function readyTechnician(
  server: RushServer,
  admin: Api,
  account: { id: string; token: string },
  index: number,
  at: Point,
  serviceId: string,
  onOffer: (t: Technician, e: OfferEvent) => void,
  onError: (t: Technician, e: unknown) => void,
): Promise<Technician> {
  const { api, ws } = liveApi(server, account.token);
  await api.technician.setServices.mutate({ services: [{ serviceId }] });
  // Verified the way the product verifies anyone: its onboarding application, approved by the admin.
  await approveThroughOnboarding({
    baseUrl: server.url,
    tech: api,
    admin,
    technicianId: account.id,
    market: 'lagos',
    idNumber: `RUSH${String(index).padStart(6, '0')}`,
  });
  const t: Technician = {
    index,
    ...account,
    at,
    api,
    call: caller(server, account.token),
    ws,
    unsubscribe: () => {},
  };
  await new Promise<void>((resolve, reject) => {
    const sub = api.technician.offers.subscribe(undefined, {
      onStarted: () => resolve(),
      onData: (e) => onOffer(t, e as OfferEvent),
      onError: (e) => {
        reject(e);
        onError(t, e);
      },
    });
    t.unsubscribe = () => sub.unsubscribe();
  });
  await api.technician.setOnline.mutate({ online: true, ...at });
  return t;
}
