// `userlm trust [DIR]`, `userlm trust --list`, `userlm untrust [DIR]`: which workspaces may send
// the keys their userlm.yaml names. Trust is recorded for the folder and a hash of its backend
// settings, so a changed backend asks again.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findWorkspaceRoot } from '../../core/model/load';
import { backendSettingsHash, keyedBackends, readWorkspaceConfig, trustedWorkspaces, trustFile, trustKey, trustWorkspace, untrustWorkspace, TRUST_ENV } from '../../core/trust';
import { parseArgs, UsageError } from '../args';
import { InputError } from '../inputs';
import { shown } from '../render/paths';
import type { Command } from './index';

/** The workspace around DIR (the nearest folder with userlm.yaml at or above it). */
function workspaceOf(dir: string | undefined): string {
  const start = resolve(dir ?? '.');
  if (!existsSync(start)) throw new InputError(`folder '${dir}' does not exist`);
  if (!statSync(start).isDirectory()) throw new InputError(`'${dir}' is a file; give the workspace folder (the one holding userlm.yaml)`);
  const root = findWorkspaceRoot(start, existsSync);
  if (!existsSync(join(root, 'userlm.yaml'))) throw new InputError(`no userlm.yaml in ${start} or above: there is no workspace to trust`);
  return root;
}

function onePositional(positional: string[]): string | undefined {
  if (positional.length > 1) throw new UsageError(`give one folder, got ${positional.length}: ${positional.join(' ')}`);
  return positional[0];
}

export const trustCommand: Command = {
  usage: '[DIR] | --list',
  summary: 'let a workspace send the API keys its userlm.yaml names',
  async run(args) {
    const { positional, flags } = parseArgs(args, { booleans: ['list'] });
    if (flags.help) {
      process.stdout.write(`usage: userlm trust ${this.usage}\n\nA workspace's userlm.yaml may name keys (api_key: env:VAR) and the hosts they go to. The CLI\nsends them only for workspaces you trust: this records DIR (default: the workspace around the\ncurrent folder) with a hash of its backend settings, in ${shown(trustFile())}.\nAny change to its backends asks again. --list: the trusted workspaces.\nFor one run: --trust; in CI: ${TRUST_ENV}=1. 'userlm untrust DIR' forgets a workspace.\n`);
      return 0;
    }
    if (flags.list) {
      if (positional.length) throw new UsageError('--list takes no folder');
      const entries = trustedWorkspaces();
      if (!entries.length) {
        process.stdout.write(`no trusted workspaces (trust one with: userlm trust DIR)\n`);
        return 0;
      }
      for (const e of entries) {
        let state: string;
        if (!existsSync(join(e.folder, 'userlm.yaml'))) state = 'userlm.yaml is gone';
        else {
          try {
            state = backendSettingsHash(readWorkspaceConfig(e.folder)) === e.backends_sha256 ? 'trusted' : 'backends changed since: asks again';
          } catch (err) {
            state = `userlm.yaml unreadable (${(err as Error).message})`;
          }
        }
        process.stdout.write(`${e.folder}  ${state} (trusted ${e.trusted_at})\n`);
      }
      return 0;
    }
    const root = workspaceOf(onePositional(positional));
    let config;
    try {
      config = readWorkspaceConfig(root);
    } catch (e) {
      throw new InputError(`cannot trust ${root}: ${(e as Error).message}`);
    }
    const entry = trustWorkspace(root, config);
    const keyed = keyedBackends(config);
    process.stdout.write(`trusted ${entry.folder}\n`);
    if (keyed.length) {
      process.stdout.write(`its userlm.yaml may now send keys to:\n${keyed.map((b) => `  ${b.section === 'training' ? 'training ' : ''}${b.id}: ${b.url} (${b.ref})\n`).join('')}`);
    } else {
      process.stdout.write('its userlm.yaml names no key today; if a backend with a key is added, it asks again\n');
    }
    process.stdout.write(`recorded in ${shown(trustFile())}; a change to its backends asks again\n`);
    return 0;
  },
};

export const untrustCommand: Command = {
  usage: '[DIR]',
  summary: 'stop a workspace from sending API keys',
  async run(args) {
    const { positional, flags } = parseArgs(args, {});
    if (flags.help) {
      process.stdout.write(`usage: userlm untrust ${this.usage}\n\nForgets DIR (default: the workspace around the current folder) in ${shown(trustFile())}:\nruns there that need a key stop before any request until it is trusted again.\n`);
      return 0;
    }
    const dir = onePositional(positional);
    const start = resolve(dir ?? '.');
    // A folder that no longer exists can still be forgotten.
    const root = existsSync(start) ? findWorkspaceRoot(statSync(start).isDirectory() ? start : resolve(start, '..'), existsSync) : start;
    const key = trustKey(root);
    process.stdout.write(untrustWorkspace(root) ? `untrusted ${key}\n` : `${key} was not trusted; nothing to do\n`);
    return 0;
  },
};
