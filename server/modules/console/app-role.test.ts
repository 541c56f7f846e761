import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../../../db/client';
import {
  httpClient,
  isolatedDatabase,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../../test/harness';

// Issue 14 §5/§7 (PostgreSQL only): with DATABASE_MIGRATION_URL the app's role does not own audit_log.
// Owning a table is what lets a role switch its triggers off; this role can only add and read rows.
let owner: Awaited<ReturnType<typeof isolatedDatabase>>;
let app: Database;
let appUrl: string;
const role = `fundi_app_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
const superuser = () => postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });

beforeAll(async () => {
  owner = await isolatedDatabase();
  const su = superuser();
  await su.unsafe(`create role ${role} login`);
  await su.end();
  const url = new URL(owner.url);
  url.username = role;
  url.password = '';
  appUrl = url.toString();
  app = await openDatabase({ databaseUrl: appUrl, migrationUrl: owner.url, dataDir: '', poolSize: 5 });
  // Migrations (already applied) run as the owner; then the app's role gets its grants.
  await app.migrate();
}, 300_000);

afterAll(async () => {
  await app?.close();
  await owner?.dispose();
  const su = superuser();
  await su.unsafe(`drop role if exists ${role}`);
  await su.end();
});

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe('the app’s role (DATABASE_URL) when migrations run as the owner (DATABASE_MIGRATION_URL)', () => {
  it('may INSERT and SELECT audit rows, and nothing else: no UPDATE, DELETE, TRUNCATE, nor switching the triggers off', async () => {
    const sql = postgres(appUrl, { max: 1, onnotice: () => {} });
    try {
      const [me] =
        await sql`select current_user as u, (select tableowner from pg_tables where tablename = 'audit_log') as owner`;
      expect(me).toMatchObject({ u: role });
      expect(me!.owner).not.toBe(role);
      const [row] =
        await sql`insert into audit_log (action, subject) values ('role.probe', 'test:role') returning id`;
      const id = row!.id;
      expect(await sql`select action from audit_log where id = ${id}`).toEqual([{ action: 'role.probe' }]);

      expect(await codeOf(sql`update audit_log set action = 'forged' where id = ${id}`)).toBe('42501');
      expect(await codeOf(sql`delete from audit_log where id = ${id}`)).toBe('42501');
      expect(await codeOf(sql`truncate audit_log`)).toBe('42501');
      // What the triggers alone could not stop from the owner's role: switching them off first.
      expect(await codeOf(sql`alter table audit_log disable trigger all`)).toBe('42501');
      expect(await codeOf(sql`alter table audit_log disable trigger audit_log_no_update_delete`)).toBe(
        '42501',
      );
      expect(await codeOf(sql`drop trigger audit_log_no_update_delete on audit_log`)).toBe('42501');
      expect(await codeOf(sql`drop table audit_log`)).toBe('42501');
      // Even in one transaction that tries both.
      expect(
        await codeOf(
          sql.begin(async (tx) => {
            await tx`alter table audit_log disable trigger user`;
            await tx`delete from audit_log where id = ${id}`;
          }),
        ),
      ).toBe('42501');
      expect(await sql`select action from audit_log where id = ${id}`).toEqual([{ action: 'role.probe' }]);

      // Other tables: ordinary reads and writes (the app's work).
      const email = uniqueEmail('role');
      await sql`insert into users (email, password_hash, name) values (${email}, 'x', 'Role probe')`;
      expect(await codeOf(sql`update users set name = 'Renamed' where email = ${email}`)).toBe('OK');
      expect(await codeOf(sql`delete from users where email = ${email}`)).toBe('OK');
    } finally {
      await sql.end();
    }
  });

  it('runs the app: an admin action writes its audit row as this role', async () => {
    let server: TestServer | undefined;
    try {
      server = await startTestServer({}, { database: { ...app, dispose: async () => {} }, dispatch: false });
      const email = uniqueEmail('admin');
      await server.services.auth.ensureAdmin(email, 'role test admin password', 'Role Admin');
      const signed = await server.services.auth.signIn(
        { email, password: 'role test admin password' },
        '127.0.0.1',
      );
      const created = await httpClient(server, signed.token).admin.catalog.categories.create.mutate({
        slug: `role-${randomUUID().slice(0, 8)}`,
        nameEn: 'Role test',
        nameAr: 'اختبار الدور',
        icon: 'tools',
      });
      const sql = postgres(appUrl, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql`select actor_id from audit_log where subject = ${`category:${created.id}`}`;
        expect(rows).toEqual([{ actor_id: signed.user.id }]);
      } finally {
        await sql.end();
      }
    } finally {
      await server?.close();
    }
  });
});
