// A real headless Neovim (Debian's `neovim`, installed by scripts/setup-neovim.sh) with the
// configuration docs/editors.md documents for Neovim 0.7+, copied from the page itself: the
// server must give diagnostics, completion, definition and rename end to end, and never
// attach to a Kubernetes manifest.
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace } from '../unit/lsp/fixture';
import { ROOT, SERVER } from '../unit/lsp/lsp-client';

/** The Lua block under `<!-- neovim-0.7 -->` in docs/editors.md, with the server command pointed at this checkout's bundle. */
export function documentedConfig(): string {
  const page = readFileSync(join(ROOT, 'docs', 'editors.md'), 'utf8');
  const m = /<!-- neovim-0\.7 -->\s*```lua\n([\s\S]*?)```/.exec(page);
  assert.ok(m, 'docs/editors.md has the Neovim 0.7 block');
  const cmd = `{ ${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVER)}, '--stdio' }`;
  const lua = m![1].replace("{ 'userlm-language-server', '--stdio' }", cmd);
  assert.notEqual(lua, m![1], 'the documented command was found and replaced');
  return lua;
}

describe('Neovim (headless) with the documented configuration', function () {
  this.timeout(180000);
  let nvim: ChildProcess | undefined;
  after(() => { if (nvim && nvim.exitCode === null) nvim.kill(); });

  it('diagnostics, completion, definition and rename work end to end; a Kubernetes file gets no client', async () => {
    const version = execFileSync('nvim', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    assert.match(version, /^NVIM v0\.(\d+)/);
    const ws = makeWorkspace({
      'scenarios/nvim.scenario.yaml': 'kind: scenario\nid: nvim\nprofile: margret-chen\ntargets:\n  - id: a\n    description: x\n',
      'deploy/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
    });
    try {
      const init = join(ws.dir, 'init.lua');
      writeFileSync(init, documentedConfig());
      const out = join(ws.dir, 'result.json');
      nvim = spawn('nvim', ['--headless', '-n', '-i', 'NONE', '-u', init, '-c', `luafile ${join(ROOT, 'test', 'editors', 'neovim.drive.lua')}`], {
        cwd: join(ws.dir, 'scenarios'), env: { ...process.env, USERLM_WS: ws.dir, USERLM_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      nvim.stdout!.on('data', (d) => { log += String(d); });
      nvim.stderr!.on('data', (d) => { log += String(d); });
      const code = await new Promise<number | null>((resolve) => nvim!.on('exit', resolve));
      assert.ok(existsSync(out), `Neovim wrote no result (exit ${code}): ${log}`);
      const r = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(r.attached, true, 'the client attached to the scenario');
      assert.equal(r.unknown_profile, true, JSON.stringify(r.diagnostics));
      const d = r.diagnostics.find((x: { message: string }) => /no profile/.test(x.message));
      assert.deepEqual([d.lnum, d.col, d.end_col, d.severity], [2, 9, 21, 1]);
      assert.match(d.message, /did you mean `margaret-chen`/);
      assert.ok(r.completion.includes('margaret-chen') && r.completion.includes('panel-a'), JSON.stringify(r.completion));
      assert.equal(r.cleared, true, 'diagnostics cleared after the fix');
      assert.deepEqual(r.definition, { uri: `file://${ws.path('profiles/margaret.profile.yaml')}`, line: 1 });
      assert.equal(r.renamed_here, 'profile: maggie');
      assert.equal(r.renamed_profile, 'id: maggie');
      assert.equal(r.k8s_clients, 0, 'no client on the Kubernetes manifest');
    } finally {
      ws.cleanup();
    }
  });
});
