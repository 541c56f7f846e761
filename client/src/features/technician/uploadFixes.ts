// Sends the outbox to the server: oldest first, in batches the API accepts, one upload at a time.
import { TRPCClientError } from '@trpc/client';
import { type FixRejectionReason, fixRejectionReasons } from '../../../../server/contracts/tracking';
import { isRetryable } from '../../lib/apiErrors';
import { getApi } from '../../lib/trpc';
import { countFixes, oldestFixes, removeFixes, type TrackingPoint } from './fixOutbox';

/** tracking.update takes at most this many points per call. */
export const BATCH_SIZE = 100;

export type UploadResult = {
  /** Everything queued is on the server. */
  ok: boolean;
  /** Fixes still waiting on the device. */
  queued: number;
  /** When the server last took a batch (this run), if it did. */
  sentAt: number | null;
  /**
   * What the newest answer said about our position: why the server refused every fix of a call, or null
   * once it accepted one. Undefined when no answer told either way (nothing sent, only duplicates).
   */
  rejection?: FixRejectionReason | null;
};

type Send = (points: TrackingPoint[]) => Promise<unknown>;

/**
 * Over the WebSocket, a call made while the socket is down waits for it to come back. Give up after this
 * long so the outbox keeps its fixes and retries (the server drops a fix it already has).
 */
const SEND_TIMEOUT_MS = 10_000;

const defaultSend: Send = (points) =>
  getApi().trpcClient.tracking.update.mutate({ points }, { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });

let running: Promise<UploadResult> | null = null;
let again = false;

function httpStatus(error: unknown): number | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  if (typeof data === 'object' && data !== null && 'httpStatus' in data) {
    return typeof data.httpStatus === 'number' ? data.httpStatus : undefined;
  }
  return undefined;
}

/**
 * Reads tracking.update's `{ accepted, rejected, reason }` (defensively: it crossed the network). A
 * duplicate is a fix the server already has, not a problem with the position.
 */
export function rejectionOf(answer: unknown): FixRejectionReason | null | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { accepted, rejected, reason } = answer as Record<string, unknown>;
  if (typeof accepted === 'number' && accepted > 0) return null;
  if (typeof rejected !== 'number' || rejected === 0 || reason === 'duplicate') return undefined;
  return fixRejectionReasons.find((r) => r === reason);
}

async function drain(userId: string, send: Send): Promise<UploadResult> {
  let sentAt: number | null = null;
  let rejection: FixRejectionReason | null | undefined;
  for (;;) {
    const batch = await oldestFixes(userId, BATCH_SIZE);
    if (batch.length === 0) return { ok: true, queued: 0, sentAt, rejection };
    try {
      // The server validates each point (and counts the ones it refuses): a 2xx means it has them all.
      const verdict = rejectionOf(await send(batch));
      if (verdict !== undefined) rejection = verdict;
      sentAt = Date.now();
    } catch (error) {
      const status = httpStatus(error);
      // Offline, server down, rate limited, or signed out (the same account may sign in again): keep
      // them for the next try. Any other refusal will not change on retry: drop the batch, move on.
      if (isRetryable(error) || status === 401 || status === 429) {
        return { ok: false, queued: await countFixes(userId), sentAt, rejection };
      }
    }
    await removeFixes(userId, batch);
  }
}

/**
 * Uploads whatever the outbox holds for this user. Concurrent calls share the running upload, which
 * goes round once more if fixes were added meanwhile.
 */
export function uploadFixes(userId: string, send: Send = defaultSend): Promise<UploadResult> {
  if (running) {
    again = true;
    return running;
  }
  const run = async (): Promise<UploadResult> => {
    let result: UploadResult;
    let sentAt: number | null = null;
    let rejection: FixRejectionReason | null | undefined;
    do {
      again = false;
      result = await drain(userId, send);
      sentAt = result.sentAt ?? sentAt;
      if (result.rejection !== undefined) rejection = result.rejection;
      // Asked again meanwhile (a new fix, the connection back): go round once more, even after a failure
      // — the call that failed may have started before the connection returned.
    } while (again);
    return { ...result, sentAt, rejection };
  };
  running = run().finally(() => {
    running = null;
  });
  return running;
}
