// The standalone local OpenAI-compatible server (used by the VS Code tests and the eval benchmark).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

const MAIN = resolve(__dirname, '../../support/openai-server-main.js');

describe('engine: openai-server-main', function () {
  this.timeout(20000);

  it('listens, prints its URL, answers with the given latency and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, '--latency-ms', '120', '--dialect', 'reasoning'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        createInterface({ input: child.stdout! }).once('line', (line) => {
          const m = /^listening (http:\/\/127\.0\.0\.1:\d+\/v1)$/.exec(line);
          if (m) ok(m[1]);
          else fail(new Error(line));
        });
        child.once('exit', (code) => fail(new Error(`exited ${code}`)));
      });
      const models = (await (await fetch(`${url}/models`)).json()) as { data: unknown[] };
      assert.ok(models.data.length > 0);
      const started = Date.now();
      const res = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'system', content: 'You are playing a user.' }] }) });
      const body = (await res.json()) as { choices: { message: { reasoning?: string; content: string } }[] };
      assert.ok(Date.now() - started >= 110);
      assert.match(body.choices[0].message.reasoning!, /^Agent intent:/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('rejects bad options with a clear message', () => {
    const r = spawnSync(process.execPath, [MAIN, '--latency-ms', 'soon'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--latency-ms must be a number >= 0, got 'soon'/);
    const d = spawnSync(process.execPath, [MAIN, '--dialect', 'xml'], { encoding: 'utf8' });
    assert.equal(d.status, 2);
    assert.match(d.stderr, /--dialect must be one of reasoning, reasoning_content, think_tags, implicit_think, none, got 'xml'/);
  });
});
