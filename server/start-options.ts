// Command-line options of the server entry point (`npm start -- …`, `npm run serve -- …`). Everything
// else about the server is configured through the environment (server/config.ts); these are only the
// things a person starting the demo types by hand.

/** Technicians the demo simulator drives when `--simulate` has no number: light enough for a laptop. */
export const DEFAULT_SIMULATED_TECHNICIANS = 50;
/** The simulator's own upper bound (scripts/simulate.ts). */
export const MAX_SIMULATED_TECHNICIANS = 5_000;

export type StartOptions = {
  /** How many technicians to simulate in the background, or null for none. */
  simulate: number | null;
  help: boolean;
};

export class StartOptionsError extends Error {}

export const startUsage =
  'usage: npm start -- [--simulate[=N]]     (or npm run serve -- …)\n' +
  '\n' +
  `  --simulate[=N]  once the server is listening, drive N demo technicians (default ${DEFAULT_SIMULATED_TECHNICIANS})\n` +
  '                  around the market through the real WebSocket API (scripts/simulate.ts) until the\n' +
  '                  server stops. Same as SIMULATE=N in the environment.\n' +
  '  -h, --help      this text\n' +
  '\n' +
  'Everything else is set with environment variables: see "Configuration" in the README.\n';

function count(raw: string, source: string): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIMULATED_TECHNICIANS) {
    throw new StartOptionsError(
      `${source} must be a number of technicians from 1 to ${MAX_SIMULATED_TECHNICIANS}, not "${raw}"`,
    );
  }
  return n;
}

/**
 * Parses the arguments after `--` (`process.argv.slice(2)`) and the `SIMULATE` variable; a flag beats
 * the variable. `SIMULATE` is a count (so `1` means one technician), `true`/`yes`/`on` for the default
 * count, or `false`/`no`/`off`/`0`/empty for none.
 */
export function parseStartOptions(argv: readonly string[], env: NodeJS.ProcessEnv = {}): StartOptions {
  let simulate: number | null = null;
  const fromEnv = env.SIMULATE?.trim().toLowerCase();
  if (fromEnv && !['false', 'no', 'off', '0'].includes(fromEnv)) {
    simulate = ['true', 'yes', 'on'].includes(fromEnv)
      ? DEFAULT_SIMULATED_TECHNICIANS
      : count(fromEnv, 'SIMULATE');
  }
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (arg === '--simulate') {
      // `--simulate 200` as well as `--simulate=200`; a bare `--simulate` takes the default.
      const next = argv[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        simulate = count(next, '--simulate');
        i++;
      } else {
        simulate = DEFAULT_SIMULATED_TECHNICIANS;
      }
    } else if (arg.startsWith('--simulate=')) {
      simulate = count(arg.slice('--simulate='.length), '--simulate');
    } else if (arg === '--no-simulate') {
      simulate = null;
    } else if (arg.startsWith('-')) {
      throw new StartOptionsError(`unknown option ${arg}`);
    } else {
      throw new StartOptionsError(`unexpected argument "${arg}"`);
    }
  }
  return { simulate, help };
}
