import { describe, expect, it } from 'vitest';
import { intern } from './intern';

describe('intern', () => {
  it('gives one copy for equal text, whatever object it came from', () => {
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
