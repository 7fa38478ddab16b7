// The validation API other parts of the project call (the engine refuses files with errors).
import assert from 'node:assert/strict';
import { validateText, validateWorkspace, analyzeText, formatProblem, problemsOf, sortProblems, WorkspaceIndex } from '../../../core/validate/index';
import { makeWorkspace } from '../lsp/fixture';

describe('validation API', () => {
  it('validateText: single-file checks without an index, cross-file checks with one', () => {
    const text = 'kind: scenario\nid: api\nprofile: margret\nsplit: standard\nadversarial:\n  tactics: [sunk_cost]\ntargets:\n  - id: a\n    description: x\n';
    const alone = validateText(text, '/w/scenarios/api.scenario.yaml');
    assert.deepEqual(alone.map((p) => [p.code, p.severity, p.range.start.line, p.range.start.character]), [['adversarial-on-standard', 'warning', 4, 0]]);
    const index = new WorkspaceIndex('/w');
    index.update(analyzeText('kind: profile\nid: margaret\nname: S\n', '/w/profiles/s.profile.yaml').symbols);
    const withIndex = validateText(text, '/w/scenarios/api.scenario.yaml', index);
    assert.deepEqual(withIndex.map((p) => p.code), ['unknown-profile', 'adversarial-on-standard']);
    assert.equal(withIndex[0].data?.suggestion, 'margaret');
    assert.equal(formatProblem(withIndex[0]), "/w/scenarios/api.scenario.yaml:3:10: error: `profile`: no profile `margret` in the workspace; did you mean `margaret`? [unknown-profile]");
  });

  it('problemsOf: cross-file problems follow index changes, and ranges of one start stay apart', () => {
    const file = '/w/scenarios/c.scenario.yaml';
    const a = analyzeText('kind: scenario\nid: c\nprofile: pat\ntargets:\n  - id: t\n    description: x\n', file);
    const index = new WorkspaceIndex('/w');
    index.update(a.symbols);
    assert.deepEqual(problemsOf(a, index).map((p) => p.code), ['unknown-profile']);
    assert.deepEqual(problemsOf(a, index).map((p) => p.code), ['unknown-profile'], 'the same again (kept)');
    index.update(analyzeText('kind: profile\nid: pat\nname: Pat\n', '/w/profiles/pat.profile.yaml').symbols);
    assert.deepEqual(problemsOf(a, index), [], 'the profile now exists');
    index.remove('/w/profiles/pat.profile.yaml');
    assert.deepEqual(problemsOf(a, index).map((p) => p.code), ['unknown-profile'], 'and is gone again');
    const at = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });
    const mk = (code: string, severity: 'error' | 'warning', r: ReturnType<typeof at>) => ({ file, range: r, severity, message: code, code });
    assert.deepEqual(sortProblems([mk('b', 'warning', at(2, 0, 2, 5)), mk('a', 'error', at(1, 0, 1, 9)), mk('c', 'error', at(2, 0, 2, 3)), mk('d', 'error', at(2, 0, 2, 5))]).map((p) => p.code), ['a', 'd', 'c'],
      'text order; on one start, each range once (the most severe), in the order first found');
  });

  it('validateText ignores YAML that is not a workspace file', () => {
    assert.deepEqual(validateText('foo: [1, 2]\n', '/w/other.yaml'), []);
  });

  it('validateWorkspace: every file, or only the paths given, with references resolved across the workspace', async () => {
    const ws = makeWorkspace({ 'scenarios/bad.scenario.yaml': 'kind: scenario\nid: bad\nprofile: panel-b\ntargets: []\n' });
    try {
      const all = await validateWorkspace(ws.dir);
      assert.equal(all.size, 7);
      const bad = all.get(ws.path('scenarios/bad.scenario.yaml'))!;
      assert.deepEqual(bad.map((p) => p.code), ['too-few'], 'panel-b resolves to the collection');
      const some = await validateWorkspace(ws.dir, [ws.path('scenarios')]);
      assert.deepEqual([...some.keys()].sort(), [ws.path('scenarios/bad.scenario.yaml'), ws.path('scenarios/upgrade.scenario.yaml')]);
    } finally { ws.cleanup(); }
  });
});
