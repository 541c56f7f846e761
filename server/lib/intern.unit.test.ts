import { describe, expect, it } from 'vitest';
import { intern } from './intern';

describe('intern', () => {
  // Which object a string is cannot be seen from JavaScript (the pointer comparison it buys was measured with
  // perf, README: live-tracking benchmark); this holds what can be seen: the text, and Map lookups, unchanged.
  it('gives back the same text, found in a Map under a key from another object', () => {
    const id = '4f0c2a9e-1b7d-4c55-9a63-0d2e8f1b7c11';
    const a = intern(id.split('').join(''));
    const b = intern(`${id.slice(0, 10)}${id.slice(10)}`);
    expect(a).toBe(id);
    expect(b).toBe(a);
    // Same text, and a Map finds either by the other.
    const m = new Map([[a, 1]]);
    expect(m.get(b)).toBe(1);
    expect(intern('')).toBe('');
    expect(intern('123')).toBe('123');
  });
});
