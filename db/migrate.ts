// npm run db:migrate — applies db/migrations to DATABASE_URL (or the embedded database under DATA_DIR).
import { withServices } from '../scripts/cli-db';

await withServices(async (_services, database) => {
  process.stdout.write(`Migrations applied (${database.driver}).\n`);
});
