import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';
import { checkTarget, safePost, systemResolver } from './modules/developer/safe-post';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './.data',
      tls: null,
      secureCookies: false,
    });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('names every bad variable with a clear message', () => {
    const p = problems({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ALLOWED_ORIGINS: 'nope' });
    expect(p.some((m) => m.startsWith('PORT:'))).toBe(true);
    expect(p.some((m) => m.startsWith('DATABASE_URL:') && m.includes('postgres://'))).toBe(true);
    expect(p.some((m) => m.startsWith('ALLOWED_ORIGINS'))).toBe(true);
    expect(problems({ TLS_CERT: '/c.pem' })).toEqual(['TLS_CERT: TLS_CERT and TLS_KEY must be set together']);
  });

  it('a migration URL (the owner) only next to DATABASE_URL (the app’s role)', () => {
    expect(problems({ DATABASE_MIGRATION_URL: 'postgres://owner@db/fundi' })).toEqual([
      'DATABASE_MIGRATION_URL: DATABASE_MIGRATION_URL needs DATABASE_URL (the embedded database has no roles to separate)',
    ]);
    const c = loadConfig({
      DATABASE_URL: 'postgres://fundi_app@db/fundi',
      DATABASE_MIGRATION_URL: 'postgres://owner@db/fundi',
    });
    expect(c).toMatchObject({
      databaseUrl: 'postgres://fundi_app@db/fundi',
      databaseMigrationUrl: 'postgres://owner@db/fundi',
    });
    expect(loadConfig({}).databaseMigrationUrl).toBeUndefined();
  });

  it('uses Secure cookies over TLS and in production', () => {
    expect(loadConfig({ TLS_CERT: '/c.pem', TLS_KEY: '/k.pem' }).secureCookies).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).secureCookies).toBe(true);
  });

  it('production sends webhooks to https:// public addresses only, whatever WEBHOOK_ALLOW_* say', async () => {
    const env = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2' };
    const prod = loadConfig({ NODE_ENV: 'production', ...env }).developer.webhooks;
    expect(prod).toMatchObject({ allowHttp: false, allowAddresses: [] });
    // Elsewhere the same settings do let http:// and the listed address through (tests' local receivers).
    expect(loadConfig({ NODE_ENV: 'development', ...env }).developer.webhooks).toMatchObject({
      allowHttp: true,
      allowAddresses: ['127.0.0.2'],
    });
    expect(
      loadConfig({ NODE_ENV: 'development', WEBHOOK_ALLOW_HTTP: 'false' }).developer.webhooks.allowHttp,
    ).toBe(false);
    // What the sender does with the production settings: refused before any connection.
    const opts = {
      allowHttp: prod.allowHttp,
      allowAddresses: new Set(prod.allowAddresses),
      timeoutMs: prod.timeoutMs,
      resolve: systemResolver,
    };
    await expect(checkTarget(new URL('http://8.8.8.8/hooks'), opts)).rejects.toThrow(/https/);
    await expect(checkTarget(new URL('https://127.0.0.2/hooks'), opts)).rejects.toThrow(/private/);
    expect(await safePost('http://8.8.8.8/hooks', '{}', {}, opts)).toEqual({
      status: null,
      bodyPrefix: null,
      error: 'Only https:// URLs are allowed',
      unsafe: true,
    });
  });

  it('normalises allowed origins', () => {
    const c = loadConfig({
      ALLOWED_ORIGINS: 'http://localhost:5173/, https://fundi.example',
      PUBLIC_URL: 'https://app.fundi.example/x',
    });
    expect(c.allowedOrigins).toEqual([
      'http://localhost:5173',
      'https://fundi.example',
      'https://app.fundi.example',
    ]);
  });

  it('offers a gateway only with its keys; partial keys are refused', () => {
    expect(loadConfig({}).payments).toEqual({ paystack: null, stripe: null, paymob: null });
    expect(loadConfig({ PAYSTACK_SECRET_KEY: 'sk_test_1' }).payments.paystack).toEqual({
      baseUrl: 'https://api.paystack.co',
      secretKey: 'sk_test_1',
    });
    expect(
      loadConfig({
        STRIPE_SECRET_KEY: 'sk',
        STRIPE_WEBHOOK_SECRET: 'whsec',
        STRIPE_BASE_URL: 'http://127.0.0.1:9',
      }).payments.stripe,
    ).toEqual({ baseUrl: 'http://127.0.0.1:9', secretKey: 'sk', webhookSecret: 'whsec' });
    expect(
      loadConfig({
        PAYMOB_SECRET_KEY: 's',
        PAYMOB_PUBLIC_KEY: 'p',
        PAYMOB_HMAC_SECRET: 'h',
        PAYMOB_INTEGRATION_IDS: '123, 456',
      }).payments.paymob?.integrationIds,
    ).toEqual([123, 456]);
    expect(problems({ STRIPE_SECRET_KEY: 'sk' })[0]).toMatch(/^STRIPE_SECRET_KEY: /);
    expect(problems({ PAYMOB_SECRET_KEY: 's' })[0]).toMatch(/^PAYMOB_SECRET_KEY: /);
    expect(problems({ PAYMOB_INTEGRATION_IDS: 'card' })[0]).toMatch(/^PAYMOB_INTEGRATION_IDS/);
    expect(loadConfig({ PAYSTACK_SECRET_KEY: '' }).payments.paystack).toBeNull();
  });
});
