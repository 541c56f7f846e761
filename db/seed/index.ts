// npm run db:seed — creates the demo accounts (idempotent).
import { withServices } from '../../scripts/cli-db';
import { DEMO_PASSWORD, seedDemo } from './demo';

await withServices(async (services) => {
  const { created } = await seedDemo(services);
  process.stdout.write(
    created.length
      ? `Created ${created.join(', ')} (password ${DEMO_PASSWORD}).\n`
      : 'Demo data already present.\n',
  );
});
