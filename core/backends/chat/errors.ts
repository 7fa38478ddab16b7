// Why a dialogue failed, in one line: HTTP status and the server's message, a timeout, a cut
// stream, a refused connection (ECONNREFUSED) or a missing key. The chat client builds these
// messages; the dialogue loop stores them in the transcript's `error`; `eval`, `report`, the
// results panel and the Test Explorer show `failureCause(transcript)`.
import type { Transcript } from '../../generated/schema-types';

/** Server error text as one line: HTML reduced to its title or text, whitespace folded, cut at `max` characters. */
export function foldLine(text: string, max = 500): string {
  let s = String(text ?? '');
  if (/<\/?(?:html|body|head|title|h1|p|pre|center)\b/i.test(s)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(s)?.[1];
    s = title ?? s.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
    s = s.replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The one-line cause of a failed dialogue (`end.reason: error`), or null when it did not fail. */
export function failureCause(t: Pick<Transcript, 'end' | 'error'>): string | null {
  if (t.end?.reason !== 'error' && !t.error) return null;
  const text = t.error || t.end?.detail || 'failed (no cause recorded)';
  return foldLine(text);
}

/** `<dialogue id>: <cause>` for each failed dialogue, first `limit`; a last line counts the rest. */
export function failureLines(transcripts: readonly Transcript[], limit = 10): string[] {
  const failed = transcripts.filter((t) => failureCause(t) !== null);
  const out = failed.slice(0, limit).map((t) => `${t.dialogue_id}: ${failureCause(t)}`);
  if (failed.length > limit) out.push(`... and ${failed.length - limit} more failed dialogue${failed.length - limit === 1 ? '' : 's'} (see transcripts.jsonl)`);
  return out;
}
