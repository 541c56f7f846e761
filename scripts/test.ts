/**
 * `npm test`: unit + integration (Vitest, real PostgreSQL + PostGIS, plus a PGlite smoke run), the
 * production build, then e2e (Playwright, the built PWA on the real server in Chromium).
 * Ends with one plain line: `N passed, N failed`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import postgres from 'postgres';

const adminUrl =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const redact = (u: string) => u.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

function fail(message: string): never {
  process.stderr.write(`\n✖ ${message}\n\n0 passed, 1 failed\n`);
  process.exit(1);
}

async function preflight() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    fail(
      `Node.js 20 is required (found ${process.version}): uWebSockets.js ships its native binary for Node 20 only.`,
    );
  }
  if (!existsSync(chromium)) {
    fail(`Chromium not found at ${chromium}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await sql`select 1`;
    const [postgis] = await sql`select 1 from pg_available_extensions where name = 'postgis'`;
    if (!postgis) {
      fail(
        `PostgreSQL at ${redact(adminUrl)} has no PostGIS. Install it: apt-get install -y postgresql-15-postgis-3`,
      );
    }
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('PostgreSQL at')) throw e;
    fail(
      `Cannot reach PostgreSQL at ${redact(adminUrl)} (${e instanceof Error ? e.message : e}).\n` +
        '  Set TEST_DATABASE_URL to a server where the tests may create and drop databases.',
    );
  } finally {
    await sql.end();
  }
}

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  process.stdout.write(`\n▶ ${cmd} ${args.join(' ')}\n`);
  return spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
}

type Counts = {
  passed: number;
  failed: number;
  skipped: number;
  names: string[];
  /** Files whose only failures are failed tests (no import, hook or unhandled error): they may be re-run. */
  rerunnable?: string[];
};

/** The first line of a failure's message, short enough for a summary line. */
const firstLine = (m: unknown) =>
  String(m ?? '')
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '') // colour codes
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 200) ?? '';

function vitestCounts(file: string): Counts {
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0, names: [`no report at ${file}`] };
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const names: string[] = [];
  const rerunnable = new Set<string>();
  let outside = false;
  for (const f of r.testResults ?? []) {
    const path = String(f.name ?? '').replace(`${process.cwd()}/`, '');
    const failedTests = (f.assertionResults ?? []).filter((a: { status: string }) => a.status === 'failed');
    for (const a of failedTests) names.push(`${path} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
    if (failedTests.length > 0) rerunnable.add(path);
    // A file that failed outside any test (an import error, a hook, an unhandled error).
    if (f.status === 'failed' && failedTests.length === 0) {
      names.push(`${path}: ${firstLine(f.message)}`);
      outside = true;
    }
  }
  const failed = r.numFailedTests + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
  if (r.success === false && names.length === 0) {
    names.push('an error outside any test (see the Vitest output)');
    outside = true;
  }
  return {
    passed: r.numPassedTests,
    // An unhandled error (e.g. a driver's exception thrown from a timer) fails the run with no test failed.
    failed: failed || (r.success === false ? 1 : 0),
    skipped: r.numPendingTests + r.numTodoTests,
    names,
    rerunnable: outside || r.numFailedTests !== failed ? [] : [...rerunnable],
  };
}

/**
 * A few failed test files are run once more, alone. A test that fails, then passes there, is named as
 * flaky in the summary (CI shows it) and counted as passed; one that fails again stays failed. An error
 * outside a test (import, hook, unhandled) is never re-run.
 */
function rerunFailed(unit: Counts, env: Record<string, string>): { unit: Counts; flaky: string[] } {
  const files = unit.rerunnable ?? [];
  if (unit.failed === 0 || files.length === 0 || files.length > 3) return { unit, flaky: [] };
  const report = 'test-results/vitest-rerun.json';
  run(
    'npx',
    ['vitest', 'run', ...files, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    env,
  );
  const again = vitestCounts(report);
  if (again.failed > 0 || again.passed === 0) return { unit, flaky: [] };
  return { unit: { ...unit, passed: unit.passed + unit.failed, failed: 0, names: [] }, flaky: unit.names };
}

function playwrightCounts(file: string): Counts {
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0, names: [`no report at ${file}`] };
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const s = report.stats;
  const names: string[] = [];
  type Spec = {
    title: string;
    file: string;
    line: number;
    tests: { status: string; results: { error?: { message?: string } }[] }[];
  };
  type Suite = { specs?: Spec[]; suites?: Suite[] };
  const walk = (suite: Suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        if (t.status === 'unexpected' || t.status === 'flaky') {
          const error = t.results.find((r) => r.error)?.error?.message;
          names.push(`${spec.file}:${spec.line} › ${spec.title} (${t.status}): ${firstLine(error)}`);
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  return { passed: s.expected, failed: s.unexpected + s.flaky, skipped: s.skipped, names };
}

async function withDatabase<T>(fn: (url: string) => T): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `fundi_e2e_${Date.now()}`;
  await sql.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return fn(url.toString());
  } finally {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
    await sql.end();
  }
}

async function main() {
  await preflight();
  rmSync('test-results', { recursive: true, force: true });
  mkdirSync('test-results', { recursive: true });
  const env = { TEST_DATABASE_URL: adminUrl, CHROMIUM_PATH: chromium, CI: process.env.CI ?? '1' };

  run(
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
    env,
  );
  const { unit, flaky } = rerunFailed(vitestCounts('test-results/vitest.json'), env);

  let e2e: Counts;
  if (run('npm', ['run', 'build'], env) !== 0) {
    process.stderr.write('\n✖ The build failed (see above): e2e tests were not run.\n');
    e2e = { passed: 0, failed: 1, skipped: 0, names: ['the build failed'] };
  } else {
    await withDatabase((url) => run('npx', ['playwright', 'test'], { ...env, E2E_DATABASE_URL: url }));
    e2e = playwrightCounts('test-results/e2e.json');
  }

  const passed = unit.passed + e2e.passed;
  const failed = unit.failed + e2e.failed;
  const skipped = unit.skipped + e2e.skipped;
  // Named again at the very end: CI shows only the tail of the output.
  const names = [...unit.names, ...e2e.names];
  if (flaky.length) {
    process.stdout.write(
      `\nflaky (failed, then passed when run again):\n${flaky.map((n) => `  ! ${n}`).join('\n')}\n`,
    );
  }
  if (names.length) process.stdout.write(`\nfailed:\n${names.map((n) => `  ✖ ${n}`).join('\n')}\n`);
  process.stdout.write(
    `\nunit+integration: ${unit.passed} passed, ${unit.failed} failed · e2e: ${e2e.passed} passed, ${e2e.failed} failed\n`,
  );
  // Skipped tests (test.fixme: known failures, named in the closing note) are said, then the plain last line.
  if (skipped) process.stdout.write(`${skipped} skipped (not run: marked fixme)\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
