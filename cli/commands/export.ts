// `userlm export <run...> --format sft|rl --out FILE [--min-total X] [--split 0.9] [--seed N]`
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadWorkspace, findWorkspaceRoot } from '../../core/model/load';
import { buildDataset, readTranscripts, workspaceSource, writeDataset, type DatasetFormat, type ExportResult, type ExportSummary } from '../../core/datasets';
import type { Transcript } from '../../core/generated/schema-types';
import { parseArgs, intFlag, UsageError, type ParsedArgs } from '../args';
import { outputFile } from '../render/paths';
import type { Command } from './index';

/** A run given as a folder, a transcripts file, or a run id under `<root>/.userlm/runs/`. */
export function resolveRunPath(root: string, run: string): string {
  const direct = resolve(run);
  if (existsSync(direct)) return direct;
  const byId = join(root, '.userlm', 'runs', run);
  if (existsSync(byId) && statSync(byId).isDirectory()) return byId;
  throw new UsageError(`no run '${run}': give a run folder, a transcripts.jsonl file, or a run id under ${join(root, '.userlm', 'runs')}`);
}

export function numberFlag(flags: ParsedArgs['flags'], name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${String(v)}'`);
  return n;
}

export interface DatasetFlags { minTotal?: number; split?: number; seed?: number }

export function datasetFlags(flags: ParsedArgs['flags']): DatasetFlags {
  const split = numberFlag(flags, 'split');
  if (split !== undefined && !(split > 0 && split <= 1)) throw new UsageError(`--split must be in (0, 1], got ${split}`);
  return { minTotal: numberFlag(flags, 'min-total'), split, seed: intFlag(flags, 'seed') };
}

/** Builds a dataset from runs in the workspace around the current folder. */
export async function datasetFromRuns(runs: string[], format: DatasetFormat, f: DatasetFlags, cwd = process.cwd()): Promise<ExportResult> {
  const root = findWorkspaceRoot(cwd, existsSync);
  const ws = await loadWorkspace(root);
  const transcripts: Transcript[] = [];
  for (const r of runs) transcripts.push(...readTranscripts(resolveRunPath(root, r), 'strict'));
  return buildDataset(transcripts, workspaceSource(ws), { format, ...f });
}

export function formatSummary(s: ExportSummary): string {
  return [
    `dialogues: ${s.dialogues} (${s.rejected} below --min-total)`,
    `samples: ${s.samples} (train ${s.train}, validation ${s.validation}; ${s.duplicates} duplicates dropped${s.format === 'sft' ? `, ${s.incomplete} turns without a complete rationale` : ''})`,
    `estimated tokens: ${s.estimatedTokens}`,
  ].join('\n');
}

export const exportCommand: Command = {
  usage: '<run...> --format sft|rl --out FILE [--min-total X] [--split 0.9] [--seed N]',
  summary: 'Export runs as a training dataset (SFT chat JSONL or RL prompts)',
  async run(args) {
    const a = parseArgs(args, { values: ['format', 'out', 'min-total', 'split', 'seed'] });
    if (a.flags.help) {
      process.stdout.write(`usage: userlm export ${exportCommand.usage}\n`);
      return 0;
    }
    const format = a.flags.format;
    if (format !== 'sft' && format !== 'rl') throw new UsageError(`--format must be sft or rl${format === undefined ? '' : `, got '${String(format)}'`}`);
    if (typeof a.flags.out !== 'string') throw new UsageError('--out FILE is required');
    if (!a.positional.length) throw new UsageError('give at least one run (folder or id)');
    const out = outputFile(a.flags.out, 'out');
    const result = await datasetFromRuns(a.positional, format, datasetFlags(a.flags));
    const paths = writeDataset(out, result);
    process.stdout.write(`${formatSummary(result.summary)}\nwrote ${paths.train} and ${paths.validation}\n`);
    return 0;
  },
};
