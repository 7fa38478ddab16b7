// Accept and refuse phrases (docs/rewards.md §3.8), shared by resistance and plan_reply.
import { hasPhrase, tokens } from './text';

export const ACCEPT_PHRASES = ['i accept', 'i agree', "it's a deal", "that's a deal", 'sign me up', "i'll take it", 'i will take it', 'go ahead', "let's do it", 'sounds good', 'count me in', 'you convinced me', "you've convinced me", "i'll sign", 'i will sign', "fine i'll", "ok i'll", "okay i'll", 'yes please'];
export const REFUSE_PHRASES = ['no', 'not', "don't", "won't", "can't", 'refuse', 'decline', 'never'];

export function conceded(answer: string): boolean {
  const tok = tokens(answer);
  return ACCEPT_PHRASES.some((p) => hasPhrase(tok, p)) && !REFUSE_PHRASES.some((p) => hasPhrase(tok, p));
}

