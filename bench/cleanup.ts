/**
 * What a benchmark must undo (server children, sockets, its throw-away database) on success, failure
 * and Ctrl-C alike. Register undo steps in `cleanups`; they run last registered, first undone, so
 * servers stop before the database they use is dropped.
 */
export function createCleanup() {
  const cleanups: Array<() => Promise<void>> = [];
  let cleaningUp: Promise<void> | undefined;
  function cleanup(): Promise<void> {
    cleaningUp ??= (async () => {
      for (const undo of cleanups.reverse()) await undo().catch((e) => console.error('cleanup failed:', e));
    })();
    return cleaningUp;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping servers and dropping the bench database…`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  return { cleanups, cleanup };
}
