import { describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATED_TECHNICIANS, parseStartOptions, StartOptionsError } from './start-options';

// The options of `npm start -- …` / `npm run serve -- …` (server/main.ts).
describe('start options', () => {
  it('simulates nobody by default', () => {
    expect(parseStartOptions([])).toEqual({ simulate: null, help: false });
  });

  it('takes --simulate, --simulate=N and --simulate N', () => {
    expect(parseStartOptions(['--simulate']).simulate).toBe(DEFAULT_SIMULATED_TECHNICIANS);
    expect(parseStartOptions(['--simulate=200']).simulate).toBe(200);
    expect(parseStartOptions(['--simulate', '30']).simulate).toBe(30);
  });

  it('takes SIMULATE from the environment, and a flag beats it', () => {
    expect(parseStartOptions([], { SIMULATE: '12' }).simulate).toBe(12);
    expect(parseStartOptions([], { SIMULATE: 'true' }).simulate).toBe(DEFAULT_SIMULATED_TECHNICIANS);
    expect(parseStartOptions([], { SIMULATE: '0' }).simulate).toBeNull();
    expect(parseStartOptions([], { SIMULATE: '' }).simulate).toBeNull();
    expect(parseStartOptions(['--simulate=7'], { SIMULATE: '12' }).simulate).toBe(7);
    expect(parseStartOptions(['--no-simulate'], { SIMULATE: '12' }).simulate).toBeNull();
  });

  it('rejects unknown options, stray arguments and bad counts with a message naming them', () => {
    const error = (argv: string[], env = {}) => {
      try {
        parseStartOptions(argv, env);
      } catch (e) {
        expect(e).toBeInstanceOf(StartOptionsError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(error(['--simulat'])).toContain('--simulat');
    expect(error(['lagos'])).toContain('lagos');
    expect(error(['--simulate=0'])).toContain('--simulate');
    expect(error(['--simulate=lots'])).toContain('lots');
    expect(error(['--simulate=999999'])).toContain('5000');
    expect(error([], { SIMULATE: 'maybe' })).toContain('SIMULATE');
  });
});
