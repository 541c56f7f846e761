import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request an audited change comes from. Set once for every admin procedure (procedures.ts) so that
 * any service writing an audit row gets the caller's address without threading it through every
 * signature: the services of other modules already call `record(entry)` with no request at hand.
 */
export type AuditRequest = { ip: string | null };
export const auditRequest = new AsyncLocalStorage<AuditRequest>();
