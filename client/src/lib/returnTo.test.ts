import { describe, expect, it } from 'vitest';
import { authPath, safeReturnPath } from './returnTo';

describe('return path after sign-in / sign-up', () => {
  it('keeps a same-origin path with its query (the chosen technician)', () => {
    const book = '/book?category=plumbing&service=leak&technician=6b1c2f0e-1f2a-4c3d-8e9f-0a1b2c3d4e5f';
    expect(safeReturnPath(book)).toBe(book);
    expect(authPath('/sign-up', book)).toBe(`/sign-up?next=${encodeURIComponent(book)}`);
    expect(new URLSearchParams(authPath('/sign-up', book).split('?')[1]).get('next')).toBe(book);
  });

  it('refuses anything that could leave the site or loop', () => {
    for (const bad of [
      'https://evil.example/book',
      '//evil.example/book',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      'book',
      '/\tevil',
      '/sign-in?next=/book',
      '/sign-up',
      '',
      null,
      undefined,
    ]) {
      expect(safeReturnPath(bad), String(bad)).toBeNull();
    }
    expect(authPath('/sign-in', '//evil.example')).toBe('/sign-in');
    expect(authPath('/sign-in', '/home')).toBe('/sign-in');
  });
});
