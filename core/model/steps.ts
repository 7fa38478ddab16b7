// Work in steps: long loops (indexing 33,000 ids of a 200,000-line collection, checking them
// against the workspace) written once as generators that `yield` between slices. The CLI runs
// them straight through (`runSteps`); the language server runs them a few milliseconds at a
// time (`runStepsYielding`), so requests of other files are answered in between.
export type Steps<T = void> = Generator<void, T, void>;

/** How many loop iterations a generator does between two yields. */
export const STEP_ITEMS = 512;

/** Runs every step at once. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs the steps in slices of about `sliceMs`, letting the event loop run between slices. */
export async function runStepsYielding<T>(steps: Steps<T>, sliceMs = 4): Promise<T> {
  let end = performance.now() + sliceMs;
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() >= end) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      end = performance.now() + sliceMs;
    }
  }
}
