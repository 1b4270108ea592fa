import { progress, spinner } from '@clack/prompts';
import type { ImportTally } from './writer.js';

/** How an import shows where it is: updated after each call, stopped at the end. */
export interface ImportProgress {
  update(tally: ImportTally): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (a spinner with counts when the input does not
 * say how many images it holds); plain lines, one per call, when not a terminal.
 */
export function importProgress(total: number | undefined): ImportProgress {
  const line = (tally: ImportTally) =>
    `${tally.created + tally.existing + tally.skipped.length} images: ${tally.created} created, ` +
    `${tally.existing} already there, ${tally.skipped.length} skipped`;
  if (!process.stdout.isTTY) {
    return { update: (tally) => console.log(line(tally)), stop: () => {} };
  }
  if (total === undefined) {
    const spin = spinner();
    spin.start('importing');
    return { update: (tally) => spin.message(line(tally)), stop: () => spin.stop('imported') };
  }
  const bar = progress({ max: Math.max(1, total) });
  bar.start('importing');
  let done = 0;
  return {
    update(tally) {
      const now = tally.created + tally.existing + tally.skipped.length;
      bar.advance(now - done, line(tally));
      done = now;
    },
    stop: () => bar.stop('imported'),
  };
}
