import type { Services } from '../../server/services';

/** Demo accounts for `npm start` (idempotent). Passwords are public: never enable SEED_DEMO in production. */
export const demoAccounts = [
  { email: 'ada@demo.fundi.app', name: 'Ada Okafor', role: 'customer' as const, phone: '+2348031234567' },
  {
    email: 'tunde@demo.fundi.app',
    name: 'Tunde Bakare',
    role: 'technician' as const,
    phone: '+2348051234567',
  },
  {
    email: 'mona@demo.fundi.app',
    name: 'Mona Hassan',
    role: 'customer' as const,
    phone: '+201001234567',
    locale: 'ar' as const,
    timeZone: 'Africa/Cairo',
  },
];
export const DEMO_PASSWORD = 'fundi-demo-2026';
export const DEMO_ADMIN = { email: 'admin@demo.fundi.app', password: DEMO_PASSWORD };

export async function seedDemo(services: Services): Promise<{ created: string[] }> {
  const created: string[] = [];
  for (const a of demoAccounts) {
    try {
      await services.auth.register({ ...a, password: DEMO_PASSWORD });
      created.push(a.email);
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'EMAIL_TAKEN')) throw e;
    }
  }
  if ((await services.auth.ensureAdmin(DEMO_ADMIN.email, DEMO_ADMIN.password, 'Fundi Admin')).created) {
    created.push(DEMO_ADMIN.email);
  }
  return { created };
}
