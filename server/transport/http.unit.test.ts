import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { HttpCall } from './http';
import type { HttpResponse } from './uws';

/** A stand-in for uWS's response: counts how often the socket's address is asked for. */
function fakeResponse(address = '203.0.113.7') {
  const res = {
    asked: 0,
    getRemoteAddressAsText() {
      res.asked++;
      return new TextEncoder().encode(address).buffer;
    },
  };
  return res;
}

const asRes = (r: ReturnType<typeof fakeResponse>) => r as unknown as HttpResponse;

describe('HttpCall (one HTTP request: in-flight count, lazy abort signal, lazy client address)', () => {
  it('reads the peer address once, on first use only', () => {
    const res = fakeResponse();
    const call = new HttpCall(asRes(res), '', 0, { count: 0 });
    expect(res.asked).toBe(0);
    expect(call.ip).toBe('203.0.113.7');
    expect(call.ip).toBe('203.0.113.7');
    expect(res.asked).toBe(1);
  });

  it('behind our load balancer takes the address it appended, without asking the socket', () => {
    const res = fakeResponse('10.0.0.2');
    const call = new HttpCall(asRes(res), '6.6.6.6, 198.51.100.4', 1, { count: 0 });
    expect(call.ip).toBe('198.51.100.4');
    expect(res.asked).toBe(0);
  });

  it('refuses to run without an address once its client has gone or it was answered (499), but keeps one it read', () => {
    const gone = new HttpCall(asRes(fakeResponse()), '', 0, { count: 0 });
    gone.abort();
    expect(() => gone.ip).toThrowError(TRPCError);
    expect(() => gone.ip).toThrowError(expect.objectContaining({ code: 'CLIENT_CLOSED_REQUEST' }));

    const answered = new HttpCall(asRes(fakeResponse()), '', 0, { count: 0 });
    answered.finish();
    expect(() => answered.ip).toThrowError(expect.objectContaining({ code: 'CLIENT_CLOSED_REQUEST' }));

    const readEarly = new HttpCall(asRes(fakeResponse()), '', 0, { count: 0 });
    expect(readEarly.ip).toBe('203.0.113.7');
    readEarly.abort();
    expect(readEarly.ip).toBe('203.0.113.7');
  });

  it('counts itself in flight until finished, once', () => {
    const inflight = { count: 0 };
    const call = new HttpCall(asRes(fakeResponse()), '', 0, inflight);
    expect(inflight.count).toBe(1);
    call.finish();
    call.finish();
    expect(inflight.count).toBe(0);
  });

  it('collects Set-Cookie and other headers of the answer', () => {
    const call = new HttpCall(asRes(fakeResponse()), '', 0, { count: 0 });
    expect(call.cookies).toBeNull();
    call.setCookie('a=1');
    call.setHeader('RateLimit-Limit', '10');
    expect(call.cookies).toEqual(['a=1']);
    expect(call.headers).toEqual([['RateLimit-Limit', '10']]);
    expect(call.transport).toBe('http');
  });
});
