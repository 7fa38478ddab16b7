// The workspace index taking a big file's ids a slice at a time: lookups in between find the
// file's ids (old or new, never neither), the index is whole when the steps end, and any other
// change to the same file finishes the steps first.
import assert from 'node:assert/strict';
import { WorkspaceIndex } from '../../../core/model/workspace-index';
import { runSteps, runStepsYielding, STEP_ITEMS, type Steps } from '../../../core/model/steps';
import type { FileSymbols, SymbolDef } from '../../../core/model/symbols';

const FILE = '/w/profiles/panel.profile.yaml';
const range = (line: number) => ({ start: { line, character: 6 }, end: { line, character: 12 } });

function collection(ids: string[], file = FILE): FileSymbols {
  const defs: SymbolDef[] = ids.map((id, i) => ({ kind: 'profile', id, file, range: range(i), entryRange: range(i) }));
  return { file, kind: 'profiles', defs, refs: [], globs: [] };
}
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('workspace index in steps', () => {
  it('runs a generator in slices: other callbacks run between them, and its result comes back', async () => {
    let slices = 0;
    function* work(): Steps<number> { for (let i = 0; i < 50; i++) { slices++; const until = performance.now() + 1; while (performance.now() < until) { /* 1 ms of work */ } yield; } return 42; }
    let ranBetween = -1;
    setImmediate(() => { ranBetween = slices; });
    assert.equal(await runStepsYielding(work(), 4), 42);
    assert.ok(ranBetween > 0 && ranBetween < 50, `an immediate ran after ${ranBetween} of 50 slices`);
    assert.equal(runSteps(work()), 42);
  });

  it('a new file: lookups see its ids appear, whole at the end; the generation changes once, at the end', () => {
    const index = new WorkspaceIndex('/w');
    const ids = names('p', STEP_ITEMS * 5);
    const steps = index.updateSteps(collection(ids));
    const g = index.generation;
    let pauses = 0;
    while (!steps.next().done) { pauses++; assert.equal(index.generation, g); }
    assert.ok(pauses >= 4, `${pauses} pauses`);
    assert.equal(index.generation, g + 1);
    assert.equal(index.ids('profile', '/w/scenarios/s.scenario.yaml').length, ids.length);
    assert.equal(index.defCount('profile', 'p-7'), 1);
  });

  it('replacing a file: between steps every id it keeps is found, and at the end only the new ids are', () => {
    const index = new WorkspaceIndex('/w');
    const before = names('p', STEP_ITEMS * 3);
    const after = [...before.slice(STEP_ITEMS), ...names('q', STEP_ITEMS)];
    index.update(collection(before));
    const steps = index.updateSteps(collection(after));
    const kept = before.slice(STEP_ITEMS);
    while (!steps.next().done) for (const id of [kept[0], kept[kept.length - 1]]) assert.ok(index.defCount('profile', id) >= 1, `${id} is never missing`);
    for (const id of kept) assert.equal(index.defCount('profile', id), 1, `${id} once`);
    assert.equal(index.defCount('profile', 'p-0'), 0);
    assert.equal(index.defCount('profile', 'q-0'), 1);
    assert.equal(index.ids('profile').length, after.length);
  });

  it('another update or a removal of the same file finishes the steps in flight first', () => {
    const index = new WorkspaceIndex('/w');
    const steps = index.updateSteps(collection(names('p', STEP_ITEMS * 4)));
    steps.next();
    index.update(collection(['only-one']));
    assert.equal(index.ids('profile').join(), 'only-one');
    assert.ok(steps.next().done, 'the first update was finished by the second');
    const removal = index.removeSteps(FILE);
    removal.next();
    index.update(collection(['back']));
    assert.equal(index.ids('profile').join(), 'back');
    const other = index.updateSteps(collection(names('o', 10), '/w/profiles/other.profile.yaml'));
    runSteps(other);
    assert.equal(index.ids('profile').length, 11);
    runSteps(index.removeSteps(FILE));
    assert.equal(index.has(FILE), false);
    assert.equal(index.ids('profile').length, 10);
  });

  it('the same symbols object again changes nothing (an edit that moved no id)', () => {
    const index = new WorkspaceIndex('/w');
    const s = collection(names('p', 3));
    index.update(s);
    const g = index.generation;
    index.update(s);
    assert.equal(index.generation, g);
    index.update(collection(names('p', 3)));
    assert.equal(index.generation, g + 1, 'new symbols with the same ids: ranges refreshed, generation bumped');
  });
});
