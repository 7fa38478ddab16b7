// Where a server puts a model's reasoning, and the one split of reasoning from reply used by the
// simulator, the agents and the judges. Servers differ: a `reasoning` field (vLLM, Ollama),
// `reasoning_content` (SGLang, llama.cpp, LiteLLM, DeepSeek), `<think>…</think>` in the content,
// an implicit think (the chat template opened `<think>`, so only `</think>` appears), or nothing.
// `reasoning: auto` reads whichever arrives; an explicit setting that does not match what arrives
// is a hint only: the split reads what arrived, and the client warns once per backend.
import type { Backend } from '../../generated/schema-types';

/** Where one response carried its reasoning. */
export type Dialect = 'reasoning' | 'reasoning_content' | 'think_tags' | 'implicit_think' | 'none';

export interface ReasoningSplit {
  /** The reply with every think block removed. */
  content: string;
  reasoning?: string;
  dialect: Dialect;
}

/** The reasoning fields of a message or the concatenated deltas of a stream. */
export interface ReasoningFields { reasoning?: string; reasoning_content?: string }

const THINK_BLOCK = /<think>([\s\S]*?)(?:<\/think>|$)/i;
const CLOSE = /<\/think>/i;

/**
 * Splits a response into reasoning and reply. A reasoning field wins (the one the setting names
 * first, when both arrive); `<think>` blocks are removed from the reply in every case, so an agent
 * never says its reasoning aloud. An unclosed `<think>` (a reply cut at max_tokens) is all reasoning.
 */
export function splitReasoning(content: string, fields: ReasoningFields, setting: Backend['reasoning'] = 'auto'): ReasoningSplit {
  const order: ('reasoning' | 'reasoning_content')[] = setting === 'reasoning_content' ? ['reasoning_content', 'reasoning'] : ['reasoning', 'reasoning_content'];
  const field = order.find((f) => typeof fields[f] === 'string' && fields[f]!.trim() !== '');
  let text = content ?? '';
  let inline: string | undefined;
  let inlineDialect: Dialect = 'none';
  const block = THINK_BLOCK.exec(text);
  if (block) {
    inline = block[1];
    inlineDialect = 'think_tags';
    text = text.slice(0, block.index) + text.slice(block.index + block[0].length);
  } else {
    const close = CLOSE.exec(text);
    if (close) {
      inline = text.slice(0, close.index);
      inlineDialect = 'implicit_think';
      text = text.slice(close.index + close[0].length);
    }
  }
  if (field) return { content: text.trim(), reasoning: fields[field]!.trim(), dialect: field };
  if (inline !== undefined && inline.trim()) return { content: text.trim(), reasoning: inline.trim(), dialect: inlineDialect };
  return { content: text.trim(), dialect: inline !== undefined ? inlineDialect : 'none' };
}

/** The setting a dialect corresponds to (`implicit_think` is read as `think_tags`). */
export function settingOf(dialect: Dialect): Backend['reasoning'] | undefined {
  if (dialect === 'none') return undefined;
  return dialect === 'implicit_think' ? 'think_tags' : dialect;
}

/** Whether an explicit `reasoning` setting disagrees with what arrived (auto, and no reasoning at all, never do). */
export function dialectMismatch(setting: Backend['reasoning'] | undefined, dialect: Dialect): boolean {
  if (!setting || setting === 'auto' || dialect === 'none') return false;
  return settingOf(dialect) !== setting;
}

/**
 * Streams only the reply. Content deltas inside a leading `<think>` block are held back. A backend
 * not yet known to open its thinks explicitly (`cautious`) may be opening one implicitly, with
 * only `</think>` to come: its deltas are held until `</think>` arrives (then the rest streams) or
 * the stream ends (then it was all reply). Tags split across deltas are handled by holding back a
 * short tail that could start one.
 */
export class ReplyDeltaFilter {
  private mode: 'start' | 'think' | 'reply';
  private pending = '';
  /** Whether the current think block was opened implicitly (no `<think>` seen). */
  private implicit: boolean;
  /** After a think block: whitespace before the reply is not emitted. */
  private trimLead = false;
  private readonly emit: (text: string) => void;
  constructor(emit: (text: string) => void, private readonly cautious = true) {
    this.emit = (t) => {
      if (this.trimLead) {
        t = t.replace(/^\s+/, '');
        if (!t) return;
        this.trimLead = false;
      }
      emit(t);
    };
    this.mode = 'start';
    this.implicit = false;
  }

  push(delta: string): void {
    this.pending += delta;
    for (;;) {
      if (this.mode === 'start') {
        const lead = this.pending.trimStart();
        if (/^<think>/i.test(lead)) {
          this.pending = lead.slice('<think>'.length);
          this.mode = 'think';
          continue;
        }
        if ('<think>'.startsWith(lead.toLowerCase())) return; // still could be the opening tag
        this.mode = this.cautious ? 'think' : 'reply';
        this.implicit = this.cautious;
        continue;
      }
      if (this.mode === 'think') {
        const close = CLOSE.exec(this.pending);
        if (!close) return;
        this.pending = this.pending.slice(close.index + close[0].length);
        this.trimLead = true;
        this.mode = 'reply';
        this.implicit = false;
        continue;
      }
      // reply: a later think block is removed too; a stray `</think>` is dropped
      const tag = /<\/?think>/i.exec(this.pending);
      if (tag) {
        if (tag.index > 0) this.emit(this.pending.slice(0, tag.index));
        this.pending = this.pending.slice(tag.index + tag[0].length);
        if (tag[0][1] !== '/') this.mode = 'think';
        continue;
      }
      const lt = this.pending.lastIndexOf('<');
      const tail = lt >= 0 ? this.pending.slice(lt).toLowerCase() : '';
      const keep = tail && ('<think>'.startsWith(tail) || '</think>'.startsWith(tail)) ? tail.length : 0;
      const out = this.pending.slice(0, this.pending.length - keep);
      if (out) this.emit(out);
      this.pending = this.pending.slice(this.pending.length - keep);
      return;
    }
  }

  /** The end of the stream: a held-back tail that is no tag is emitted, and so is an implicit think that never closed (it was the reply). */
  end(): void {
    if ((this.mode !== 'think' || this.implicit) && this.pending) this.emit(this.pending);
    this.pending = '';
  }
}
