// The eval progress bar on stderr: done/total, failed, rate, ETA. Redrawn in place on a TTY;
// on a pipe, one line at most every few seconds (and at the end).
import type { Progress } from '../../core/runs';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function progressLine(p: Progress, width = 28): string {
  const frac = p.total ? p.done / p.total : 1;
  const filled = Math.round(frac * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  return `[${bar}] ${p.done}/${p.total} done, ${p.failed} failed, ${p.inFlight} running, ${p.ratePerMin.toFixed(1)}/min, ETA ${formatDuration(p.etaSeconds)}`;
}

export class ProgressBar {
  private last = 0;
  private lastLine = '';
  constructor(private readonly out: NodeJS.WriteStream, private readonly intervalMs = 3000) {}

  update(p: Progress): void {
    const line = progressLine(p);
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K`);
    } else {
      const now = Date.now();
      if (now - this.last >= this.intervalMs || p.done === p.total) {
        if (line !== this.lastLine) this.out.write(line + '\n');
        this.last = now;
      }
    }
    this.lastLine = line;
  }

  done(): void {
    if (this.out.isTTY && this.lastLine) this.out.write('\n');
  }
}
