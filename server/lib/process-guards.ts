import { describeError, log } from './log';

/**
 * The process must not die of a stray promise (issue 15 §2): a rejection nobody handled — a driver's socket
 * reset during a PostgreSQL outage, found by scripts/pg-outage-soak.ts — is logged (redacted, with its
 * stack) and the server keeps serving; every request path handles its own errors, so such a rejection has
 * no caller left to answer. A synchronous uncaught exception still ends the process, after a log line: its
 * state is unknown, and the supervisor (systemd, the container runtime, `npm run cluster`) restarts it.
 */
process.on('unhandledRejection', (reason) => {
  log.error('unhandled promise rejection (the server keeps running)', {
    error: describeError(reason),
    stack: reason instanceof Error ? reason.stack : undefined,
  });
});
process.on('uncaughtException', (error) => {
  log.error('uncaught exception: exiting', { error: describeError(error), stack: error.stack });
  process.exit(1);
});
