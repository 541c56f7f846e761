import { describe, expect, it } from 'vitest';
import { pageOf } from './cursor';

describe('pageOf', () => {
  const after = (n: number) => `after-${n}`;

  it('keeps the first `limit` rows and a cursor after the last when the extra row is there', () => {
    expect(pageOf([1, 2, 3, 4], 3, after)).toEqual({ page: [1, 2, 3], nextCursor: 'after-3' });
  });

  it('has no cursor on the last page', () => {
    expect(pageOf([1, 2, 3], 3, after)).toEqual({ page: [1, 2, 3], nextCursor: null });
    expect(pageOf([], 3, after)).toEqual({ page: [], nextCursor: null });
  });

  it('passes a null cursor through (a row without a key)', () => {
    expect(pageOf([1, 2], 1, () => null)).toEqual({ page: [1], nextCursor: null });
  });
});
