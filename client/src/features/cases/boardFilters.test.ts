import { describe, expect, it } from 'vitest';
import { boardInput, boardQuery, parseBoardFilters } from './boardFilters';

const C = '11111111-2222-4333-8444-555555555555';
const T = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

describe('bookings board filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const filters = {
      status: 'searching' as const,
      market: 'lagos',
      service: T,
      from: '2026-11-01',
      to: '2026-11-02',
      customer: C,
      technician: T,
    };
    const q = boardQuery(filters);
    expect(q).toBe(
      `?status=searching&market=lagos&service=${T}&from=2026-11-01&to=2026-11-02&customer=${C}&technician=${T}`,
    );
    expect(parseBoardFilters(new URLSearchParams(q))).toEqual(filters);
  });

  it('no filters: no query string', () => {
    expect(boardQuery({})).toBe('');
    expect(parseBoardFilters(new URLSearchParams(''))).toEqual({});
  });

  it('drops malformed values instead of sending them', () => {
    const f = parseBoardFilters(
      new URLSearchParams('status=nope&market=La%20gos&customer=12&technician=x&from=yesterday&service='),
    );
    expect(f).toEqual({});
  });

  it('a customer id from a user page link becomes the server filter (lower case)', () => {
    const f = parseBoardFilters(new URLSearchParams(`customer=${C.toUpperCase()}`));
    expect(boardInput(f)).toMatchObject({ customerId: C, technicianId: undefined });
  });

  it('days become the start of the first and the end of the last day (admin time zone, UTC here)', () => {
    expect(boardInput({ from: '2026-11-01', to: '2026-11-01' })).toMatchObject({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
    });
  });
});
