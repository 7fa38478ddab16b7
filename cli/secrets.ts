// Secrets in the CLI: environment variables named `env:VAR` in userlm.yaml, handed out only for a
// trusted workspace (`userlm trust`, `--trust` for one run, USERLM_TRUST=1 in CI).
import { envSecret } from '../core/agents';
import { trustedSecrets } from '../core/trust';
import type { ParsedArgs } from './args';

/** The flag every command that may send a key accepts. */
export const TRUST_FLAG = 'trust';

/** The secret resolver for commands run in the workspace `root`. */
export function cliSecrets(root: string, flags: ParsedArgs['flags']): (ref: string) => string | undefined {
  return trustedSecrets(root, envSecret, { flag: flags[TRUST_FLAG] === true });
}
