import { describe, expect, it } from 'vitest';
import { disabledReasonOf } from './webhooks.service';

describe('the code an endpoint is switched off with', () => {
  it('follows the last failed attempt: an error status, a redirect, no answer, or a refused address', () => {
    expect(disabledReasonOf({ status: 500, bodyPrefix: 'boom', error: null })).toBe('http_error');
    expect(disabledReasonOf({ status: 404, bodyPrefix: '', error: null })).toBe('http_error');
    expect(disabledReasonOf({ status: 302, bodyPrefix: '', error: null })).toBe('redirect');
    expect(disabledReasonOf({ status: null, bodyPrefix: null, error: 'Timed out' })).toBe('unreachable');
    expect(disabledReasonOf({ status: null, bodyPrefix: null, error: 'private address', unsafe: true })).toBe(
      'unsafe_target',
    );
  });
});
