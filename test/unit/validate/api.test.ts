// The validation API other parts of the project call (the engine refuses files with errors).
import assert from 'node:assert/strict';
import { validateText, validateWorkspace, analyzeText, formatProblem, WorkspaceIndex } from '../../../core/validate/index';
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
