// The technician's on-device fix outbox (IndexedDB through idb, and its in-memory fallback) and the
// upload that drains it: oldest first, in batches the API takes, keeping fixes through failures that may
// pass on retry and dropping what the server will never take.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { offline, overloaded, refused } from '../../../test/apiError';
import { freshIndexedDb } from '../../../test/setup';
import type { TrackingPoint } from './fixOutbox';

vi.mock('../../lib/trpc', () => ({
  getApi: () => {
    throw new Error('tests pass their own send()');
  },
}));

const t0 = Date.parse('2026-11-21T10:00:00Z');
const fix = (i: number, at = t0 + i * 3_000): TrackingPoint => ({
  lat: 6.5 + i / 10_000,
  lng: 3.4,
  accuracy: 8,
  recordedAt: new Date(at).toISOString(),
});
const times = (points: TrackingPoint[]) => points.map((p) => (Date.parse(p.recordedAt) - t0) / 3_000);

for (const storage of ['IndexedDB', 'memory (no IndexedDB)'] as const) {
  describe(`fix outbox on ${storage}`, () => {
    let saved: IDBFactory;
    beforeEach(() => {
      freshIndexedDb();
      saved = globalThis.indexedDB;
      if (storage !== 'IndexedDB') {
        Reflect.deleteProperty(globalThis, 'indexedDB');
        expect(typeof indexedDB).toBe('undefined');
      }
      vi.resetModules();
    });
    afterEach(() => {
      globalThis.indexedDB = saved;
    });

    it('reads back oldest first, per user, and forgets what was sent', async () => {
      const o = await import('./fixOutbox');
      for (const i of [3, 1, 2, 0]) await o.addFix('tech-1', fix(i));
      await o.addFix('tech-2', fix(9));
      expect(times(await o.oldestFixes('tech-1', 3))).toEqual([0, 1, 2]);
      expect(await o.countFixes('tech-1')).toBe(4);
      await o.removeFixes('tech-1', [fix(0), fix(2)]);
      expect(times(await o.oldestFixes('tech-1', 10))).toEqual([1, 3]);
      expect(times(await o.oldestFixes('tech-2', 10))).toEqual([9]);
    });

    it('a repeated timestamp replaces the earlier fix', async () => {
      const o = await import('./fixOutbox');
      await o.addFix('tech-1', fix(1));
      await o.addFix('tech-1', { ...fix(1), lat: 7 });
      const [only, ...rest] = await o.oldestFixes('tech-1', 10);
      expect(rest).toEqual([]);
      expect(only?.lat).toBe(7);
    });

    it(`keeps only the newest ${500} fixes`, async () => {
      const o = await import('./fixOutbox');
      expect(o.OUTBOX_LIMIT).toBe(500);
      for (let i = 0; i < o.OUTBOX_LIMIT + 7; i++) await o.addFix('tech-1', fix(i));
      await o.addFix('tech-2', fix(0));
      expect(await o.countFixes('tech-1')).toBe(o.OUTBOX_LIMIT);
      expect(times(await o.oldestFixes('tech-1', 2))).toEqual([7, 8]);
      expect(await o.countFixes('tech-2')).toBe(1);
    });

    it("prunes other accounts' fixes and those older than the server accepts", async () => {
      const o = await import('./fixOutbox');
      const now = t0 + 25 * 3600_000;
      await o.addFix('tech-1', fix(0)); // 25 h old
      await o.addFix('tech-1', fix(1, now - 3_600_000));
      await o.addFix('tech-2', fix(2, now - 60_000));
      await o.pruneFixes('tech-1', now);
      expect((await o.oldestFixes('tech-1', 10)).map((p) => p.recordedAt)).toEqual([
        new Date(now - 3_600_000).toISOString(),
      ]);
      expect(await o.countFixes('tech-2')).toBe(0);
    });
  });
}

describe('uploadFixes', () => {
  beforeEach(() => {
    freshIndexedDb();
    vi.resetModules();
  });

  async function seeded(n: number) {
    const o = await import('./fixOutbox');
    for (let i = 0; i < n; i++) await o.addFix('tech-1', fix(i));
    const { uploadFixes, BATCH_SIZE } = await import('./uploadFixes');
    return { o, uploadFixes, BATCH_SIZE };
  }

  it('sends everything oldest first in batches of at most 100, and empties the outbox', async () => {
    const { o, uploadFixes, BATCH_SIZE } = await seeded(250);
    const batches: number[][] = [];
    const result = await uploadFixes('tech-1', async (points) => {
      batches.push(times(points));
      return { accepted: points.length, rejected: 0 };
    });
    expect(batches.map((b) => b.length)).toEqual([BATCH_SIZE, BATCH_SIZE, 50]);
    expect(batches.flat()).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(result).toMatchObject({ ok: true, queued: 0, rejection: null });
    expect(result.sentAt).not.toBeNull();
    expect(await o.countFixes('tech-1')).toBe(0);
  });

  for (const [name, error] of [
    ['offline', offline()],
    ['shed under load', overloaded(3)],
    ['a server error', refused('INTERNAL_SERVER_ERROR', 500)],
    ['signed out', refused('UNAUTHORIZED', 401)],
    ['rate limited', refused('TOO_MANY_REQUESTS', 429, 'RATE_LIMITED')],
  ] as const) {
    it(`keeps the fixes for the next try when ${name}`, async () => {
      const { o, uploadFixes } = await seeded(150);
      let call = 0;
      const result = await uploadFixes('tech-1', async (points) => {
        if (++call === 2) throw error;
        return { accepted: points.length };
      });
      expect(result).toMatchObject({ ok: false, queued: 50 });
      expect(times(await o.oldestFixes('tech-1', 100))).toEqual(
        Array.from({ length: 50 }, (_, i) => 100 + i),
      );
    });
  }

  it('drops a batch the server refuses for good (400) and goes on', async () => {
    const { o, uploadFixes } = await seeded(150);
    let call = 0;
    const result = await uploadFixes('tech-1', async () => {
      if (++call === 1) throw refused('BAD_REQUEST', 400);
      return { accepted: 50 };
    });
    expect(result).toMatchObject({ ok: true, queued: 0 });
    expect(call).toBe(2);
    expect(await o.countFixes('tech-1')).toBe(0);
  });

  it('reports why the server refused every fix of a call, and clears it once one is accepted', async () => {
    const { rejectionOf } = await import('./uploadFixes');
    expect(rejectionOf({ accepted: 0, rejected: 3, reason: 'implausible_speed' })).toBe('implausible_speed');
    expect(rejectionOf({ accepted: 1, rejected: 3, reason: 'implausible_speed' })).toBeNull();
    expect(rejectionOf({ accepted: 0, rejected: 2, reason: 'duplicate' })).toBeUndefined();
    expect(rejectionOf({ accepted: 0, rejected: 1, reason: 'not-a-reason' })).toBeUndefined();
    expect(rejectionOf(null)).toBeUndefined();
  });

  it('concurrent calls share one upload, which goes round again for fixes added meanwhile', async () => {
    const { o, uploadFixes } = await seeded(3);
    const sent: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const send = async (points: TrackingPoint[]) => {
      sent.push(...times(points));
      if (sent.length === 3) await gate;
      return { accepted: points.length };
    };
    const first = uploadFixes('tech-1', send);
    await vi.waitFor(() => expect(sent).toHaveLength(3));
    await o.addFix('tech-1', fix(3));
    const second = uploadFixes('tech-1', send);
    expect(second).toBe(first);
    release();
    expect(await first).toMatchObject({ ok: true, queued: 0 });
    expect(sent).toEqual([0, 1, 2, 3]);
  });
});
