import type { Sql } from 'postgres';

/**
 * The app's database role when migrations run as another (the owner): PostgreSQL only.
 *
 * With `DATABASE_MIGRATION_URL` set, migrations connect as the owner of the tables and the app connects
 * (`DATABASE_URL`) as a role that owns nothing. After every migration run the owner grants that role
 * reads and writes on every table and sequence of the schema (so a table a new migration added is
 * covered) except the audit trail, where it may only INSERT and SELECT. A role that does not own
 * `audit_log` cannot `ALTER TABLE … DISABLE TRIGGER`, drop the append-only triggers, nor UPDATE, DELETE
 * or TRUNCATE it: the privileges refuse before the triggers are even asked.
 */
export async function grantAppRole(owner: Sql, appRole: string): Promise<void> {
  const [me] = await owner<{ user: string }[]>`select current_user as "user"`;
  // The same role on both URLs: nothing to separate (and revoking would lock the owner out of nothing).
  if (!me || me.user === appRole) return;
  const role = owner(appRole);
  await owner.begin(async (tx) => {
    await tx`grant usage on schema public to ${role}`;
    await tx`grant select, insert, update, delete on all tables in schema public to ${role}`;
    await tx`grant usage, select, update on all sequences in schema public to ${role}`;
    await tx`revoke update, delete, truncate, references, trigger on audit_log from ${role}`;
    await tx`grant select, insert on audit_log to ${role}`;
  });
}

/** The role a connection string logs in as (its `current_user`). */
export async function currentRole(client: Sql): Promise<string> {
  const [row] = await client<{ user: string }[]>`select current_user as "user"`;
  return row!.user;
}
