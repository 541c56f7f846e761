// npm run admin:create -- --email admin@example.com --password '…' [--name 'Ops Team']
import { parseArgs } from 'node:util';
import { emailSchema, passwordSchema } from '../server/contracts/auth';
import { withServices } from './cli-db';

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
});
const email = emailSchema.safeParse(values.email ?? '');
const password = passwordSchema.safeParse(values.password ?? '');
if (!email.success || !password.success) {
  process.stderr.write(
    'Usage: npm run admin:create -- --email <e-mail> --password <at least 8 characters> [--name <name>]\n',
  );
  process.exit(2);
}

await withServices(async (services) => {
  const { created } = await services.auth.ensureAdmin(
    email.data,
    password.data,
    values.name ?? 'Administrator',
  );
  process.stdout.write(created ? `Admin ${email.data} created.\n` : `Admin ${email.data} already exists.\n`);
}).catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
