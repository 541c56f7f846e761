/**
 * The only imports from tRPC's internals, kept in one place. A transport adapter needs three things that
 * `@trpc/server` does not export publicly: looking a procedure up by path (its own adapters use the same
 * function), telling an async iterable apart from a value, and `Unpromise.race` (a race that does not leak a
 * reaction per event on long-lived promises, which `Promise.race` does). Everything else the transports use
 * comes from the public entry points (`@trpc/server`, `@trpc/server/http`, `@trpc/server/rpc`).
 * Pinned with the other @trpc packages at one exact version: re-check these names when upgrading.
 */
export { getProcedureAtPath, isAsyncIterable, Unpromise } from '@trpc/server/unstable-core-do-not-import';

/** A plain object (what tRPC's `isObject` checks): inputs and messages are JSON objects, not arrays. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && !Array.isArray(value) && typeof value === 'object';
}
