// `userlm validate` as a user runs it: the bundled CLI in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeWorkspace } from '../lsp/fixture';
import { ROOT } from '../lsp/lsp-client';
import { validateWorkspace } from '../../../core/validate/index';

const CLI = join(ROOT, 'dist', 'cli.js');
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, 'validate', ...args], { cwd, encoding: 'utf8' });

describe('userlm validate', function () {
  this.timeout(30000);
  let ws: ReturnType<typeof makeWorkspace>;
  before(() => {
    ws = makeWorkspace({
      'scenarios/bad.scenario.yaml': 'kind: scenario\nid: bad\nprofile: nobody\nsplit: standrd\ntargets:\n  - id: a\n    description: x\n',
      'profiles/warn.profile.yaml': 'kind: profile\nid: warn\nname: W\n',
    });
  });
  after(() => ws.cleanup());

  it('prints file:line:col: severity: message [code] (1-based) and exits 1 on errors', () => {
    const r = run([], ws.dir);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1), [
      'scenarios/bad.scenario.yaml:3:10: error: `profile`: no profile `nobody` in the workspace [unknown-profile]',
      'scenarios/bad.scenario.yaml:4:8: error: `split` must be one of `standard`, `adversarial`, not `standrd`; did you mean `standard`? [invalid-value]',
    ]);
    assert.equal(lines[lines.length - 1], '8 files checked: 2 errors, 0 warnings');
  });

  it('takes paths and globs, and exits 0 when they are clean', () => {
    const r = run(['profiles/*.profile.yaml', 'userlm.yaml'], ws.dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), '4 files checked: 0 errors, 0 warnings');
  });

  it('writes JSON with --format json', () => {
    const r = run(['--format', 'json', 'scenarios'], ws.dir);
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.errors, 2);
    assert.equal(out.files, 2);
    assert.deepEqual(out.problems.map((p: { code: string }) => p.code), ['unknown-profile', 'invalid-value']);
    assert.deepEqual(out.problems[0].range, { start: { line: 2, character: 9 }, end: { line: 2, character: 15 } });
    assert.equal(out.problems[0].file, join('scenarios', 'bad.scenario.yaml'));
  });

  it('rejects a bad option or a path that matches nothing (exit 2)', () => {
    assert.equal(run(['--format', 'xml'], ws.dir).status, 2);
    const r = run(['nothing/*.scenario.yaml'], ws.dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no file matches 'nothing\/\*\.scenario\.yaml'/);
  });

  it('never prints a literal key it finds', () => {
    const w = makeWorkspace({ 'userlm.yaml': 'kind: workspace\nbackends:\n  - id: x\n    type: openai-compatible\n    base_url: https://api.example.com/v1\n    model: m\n    api_key: sk-live-abcdefghijklmnop123456\n' });
    try {
      const r = run([], w.dir);
      assert.equal(r.status, 1);
      assert.match(r.stdout, /userlm\.yaml:7:14: error: `backends\[0\]\.api_key` looks like a literal key.*store it as a secret/);
      assert.ok(!r.stdout.includes('abcdefghijklmnop'), 'the key is not echoed');
    } finally { w.cleanup(); }
  });

  it('finds every sample in samples/ valid', async () => {
    const results = await validateWorkspace(join(ROOT, 'samples'));
    assert.ok(results.size >= 15, `only ${results.size} sample files`);
    const problems = [...results.values()].flat();
    assert.deepEqual(problems.map((p) => `${p.file}:${p.range.start.line + 1}: ${p.message}`), []);
    const r = run(['samples'], ROOT);
    assert.equal(r.status, 0, r.stdout);
  });
});
