// Positions in a text: 0-based line/character (LSP style) and offsets, both ways. Every
// position an editor sends goes through `clamp` first, so absurd ones (line 2147483647) are safe.
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
/** [start, end) offsets into the text. */
export type Span = [number, number];
/** Offsets <-> 0-based line/character positions. */
export class LineIndex {
  private lineStarts?: number[];
  constructor(readonly text: string) {}
  /** Offset of each line's start, found on first use (a 5 MB text that no request reads costs nothing). */
  get starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    const text = this.text;
    let i = text.indexOf('\n');
    while (i >= 0) { starts.push(i + 1); i = text.indexOf('\n', i + 1); }
    return (this.lineStarts = starts);
  }
  /** The index of `text`, made from `prev`'s by an edit at `at` that changed the length by `delta` and added or removed no line break. */
  static shifted(text: string, prev: LineIndex, at: number, delta: number): LineIndex {
    const next = new LineIndex(text);
    const starts = prev.starts.slice();
    for (let l = starts.length - 1; l > 0 && starts[l] > at; l--) starts[l] += delta;
    next.lineStarts = starts;
    return next;
  }
  get lineCount(): number { return this.starts.length; }
  lineOf(offset: number): number {
    const s = this.starts;
    let lo = 0, hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(o);
    return { line, character: o - this.starts[line] };
  }
  offsetAt(pos: Position): number {
    if (!(pos.line < this.starts.length)) return this.text.length;
    const line = this.line(pos.line);
    return Math.min(this.starts[line] + Math.max(0, pos.character | 0), this.lineEnd(line));
  }
  /** A line number inside the text (negative, fractional, NaN or past the end: the nearest line). */
  private line(line: number): number {
    return line >= 0 ? Math.min(Math.floor(line), this.starts.length - 1) : 0;
  }
  /**
   * The nearest position that exists: line 2147483647 is the last line, a character past the
   * end of a line is its end. Every editor request's position goes through this first.
   */
  clamp(pos: Position): Position {
    const line = pos.line >= this.starts.length ? this.starts.length - 1 : this.line(pos.line);
    const len = this.lineEnd(line) - this.starts[line];
    const ch = pos.character >= 0 ? Math.min(Math.floor(pos.character), len) : 0;
    return { line, character: ch };
  }
  /** Offset of the end of a line's content (before `\r\n` or `\n`). */
  lineEnd(line: number): number {
    line = this.line(line);
    let end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    if (end > this.starts[line] && this.text[end - 1] === '\r') end--;
    return end;
  }
  lineText(line: number): string { line = this.line(line); return this.text.slice(this.starts[line], this.lineEnd(line)); }
  range(span: Span): Range { return { start: this.positionAt(span[0]), end: this.positionAt(span[1]) }; }
}
