// Run storage: transcripts.jsonl appended one whole line per write (a kill loses only dialogues in
// flight), a torn last line repaired on resume, JSON files written atomically (temp + rename).
import { appendFileSync, closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Transcript } from '../generated/schema-types';
import { readJsonl, type JsonlMode, type JsonlProblem } from '../util/jsonl';

export const TRANSCRIPTS = 'transcripts.jsonl';
export const RUN_JSON = 'run.json';
export const SUMMARY_JSON = 'summary.json';
export const DEFAULT_OUT = '.userlm/runs';

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Appends one transcript as one line, in a single write. */
export function appendTranscript(runDir: string, t: Transcript): void {
  appendFileSync(join(runDir, TRANSCRIPTS), JSON.stringify(t) + '\n');
}

/**
 * transcripts.jsonl opened once for appending (O_APPEND): each transcript is one line written
 * with one write call, so a kill loses only dialogues in flight (and at worst tears the last line,
 * which a resume repairs).
 */
export class TranscriptWriter {
  private fd: number;
  constructor(runDir: string) {
    this.fd = openSync(join(runDir, TRANSCRIPTS), 'a');
  }
  append(t: Transcript): void {
    const buf = Buffer.from(JSON.stringify(t) + '\n', 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * Cuts a torn last line (a write interrupted by a kill) so the file ends at its last newline.
 * Returns the number of bytes removed.
 */
export function repairTornTail(file: string): number {
  if (!existsSync(file)) return 0;
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const chunk = 64 * 1024;
    const buf = Buffer.alloc(chunk);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}

export interface ReadResult {
  transcripts: Transcript[];
  /** Lines skipped in tolerant mode (a torn tail, a damaged record). */
  bad: number;
  problems: JsonlProblem[];
}

/** What a line must hold to be read as a transcript. */
function transcriptProblem(v: unknown): string | undefined {
  const t = v as Partial<Transcript> | null;
  return t && typeof t === 'object' && Array.isArray(t.turns) && typeof t.scenario_id === 'string' && typeof t.dialogue_id === 'string'
    ? undefined : 'not a transcript (needs dialogue_id, scenario_id and turns)';
}

/** transcripts.jsonl of a run folder, or a `.jsonl` file given directly. */
export function transcriptsFile(runDirOrFile: string): string {
  return runDirOrFile.endsWith('.jsonl') ? runDirOrFile : join(runDirOrFile, TRANSCRIPTS);
}

/**
 * The transcripts of a run (a run folder or a `.jsonl` file). `tolerant` (default: reports, the
 * editor, resume): a missing file is an empty run, bad lines are skipped and counted. `strict`
 * (datasets for training): a missing file or any bad line is an error naming file and line.
 */
export function readTranscriptLines(runDirOrFile: string, mode: JsonlMode = 'tolerant'): ReadResult {
  const r = readJsonl<Transcript>(transcriptsFile(runDirOrFile), { mode, check: transcriptProblem, hint: 'give a run folder such as .userlm/runs/<id>' });
  return { transcripts: r.rows.map((x) => x.value), bad: r.problems.length, problems: r.problems };
}

export function readTranscripts(runDirOrFile: string, mode: JsonlMode = 'tolerant'): Transcript[] {
  return readTranscriptLines(runDirOrFile, mode).transcripts;
}

/** A new run directory `<out>/<suite-id>-<UTC yyyymmdd-hhmmss>[-n]`. */
export function createRunDir(outDir: string, suiteId: string, now = new Date()): { runId: string; runDir: string } {
  mkdirSync(outDir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  for (let n = 1; ; n++) {
    const runId = n === 1 ? `${suiteId}-${stamp}` : `${suiteId}-${stamp}-${n}`;
    const runDir = resolve(outDir, runId);
    try {
      mkdirSync(runDir);
      return { runId, runDir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export function listRunDirs(outDir: string): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(outDir, d.name, RUN_JSON)))
    .map((d) => resolve(outDir, d.name))
    .sort();
}
