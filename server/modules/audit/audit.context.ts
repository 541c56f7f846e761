import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request an audited change comes from. Set for every admin procedure (procedures.ts) so that any
 * service writing an audit row gets the caller's address without threading it through every signature:
 * the services of other modules already call `record(entry)` with no request at hand.
 */
export type AuditRequest = { ip: string | null };
export const auditRequest = new AsyncLocalStorage<AuditRequest>();

let inFlight = 0;

/**
 * Runs an admin request with its address in `auditRequest`, and switches the storage off again once no
 * admin request is running. On Node 20, an AsyncLocalStorage that has run once turns on the promise hooks
 * for the rest of the process: every promise of every request then cost about three times as much
 * (a loop of awaits: 275 → 800–880 ms), from the first admin call of the day on (a rush's profile: 3 % of
 * the server). `disable()` turns them off; the next admin request turns them on for its own duration.
 * A row written by work the request left running after it answered has no address.
 */
export async function withAuditRequest<T>(request: AuditRequest, fn: () => Promise<T>): Promise<T> {
  inFlight++;
  try {
    return await auditRequest.run(request, fn);
  } finally {
    if (--inFlight === 0) auditRequest.disable();
  }
}
