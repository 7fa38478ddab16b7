// Where ids are defined in a scenario file: the lines of targets, decision policies and tactics,
// so the panel can link to them and the editor can annotate them after a preview.
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import type { IdLink } from './protocol';

export interface ScenarioLines {
  /** 0-based line of the `kind:` key (or 0), where the preview CodeLens goes. */
  top: number;
  ids: Record<string, IdLink>;
}

export function locateScenarioIds(text: string, file: string): ScenarioLines {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false });
  const out: ScenarioLines = { top: 0, ids: {} };
  const root = doc.contents;
  if (!isMap(root)) return out;
  const lineOf = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line - 1 : 0);
  const kindPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'kind');
  if (kindPair) out.top = lineOf(kindPair.key as Node);
  const listIds = (key: string, kind: 'target' | 'policy') => {
    const seq = root.get(key, true);
    if (!isSeq(seq)) return;
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      const id = item.get('id', true);
      if (isScalar(id) && typeof id.value === 'string') out.ids[id.value] = { kind, line: lineOf(id), file };
    }
  };
  listIds('targets', 'target');
  listIds('decision_policy', 'policy');
  const adversarial = root.get('adversarial', true);
  const tactics = isMap(adversarial) ? adversarial.get('tactics', true) : undefined;
  if (isSeq(tactics)) {
    for (const t of tactics.items) if (isScalar(t) && typeof t.value === 'string') out.ids[t.value] = { kind: 'tactic', line: lineOf(t), file };
  }
  return out;
}
