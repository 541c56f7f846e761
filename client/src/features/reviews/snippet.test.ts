import { describe, expect, it } from 'vitest';
import { snippet } from './snippet';

describe('review snippet', () => {
  it('keeps a short text whole, on one line', () => {
    expect(snippet('Fast and\n\nfriendly.')).toBe('Fast and friendly.');
  });
  it('cuts a long one at a word boundary with an ellipsis', () => {
    const long = `${'word '.repeat(40)}end`;
    const cut = snippet(long, 50);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(51);
    expect(cut).toBe(`${'word '.repeat(10).trim()}…`);
    expect(snippet('عمل ممتاز، سريع ونظيف جدًا، أنصح به بشدة لكل من يحتاج سباكًا', 20)).toBe(
      'عمل ممتاز، سريع…',
    );
  });
});
