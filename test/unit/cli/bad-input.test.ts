// Every bad input gets a clear error: a table of command lines → exit status and message, run
// against the built CLI (`dist/cli.js`) in a copy of the samples. No case may print JavaScript
// internals, a stack trace or partial output, and none may leave a run directory behind.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleWorkspace, type TempWorkspace } from '../runs/fixtures';
import { cli } from './helpers';

interface Case {
  args: string[];
  code: number;
  stderr: RegExp;
  /** What must be on stdout (default: nothing at all). */
  stdout?: RegExp;
}

const INTERNALS = /Cannot read propert|is not iterable|is not a function|undefined|TypeError|ReferenceError|\n\s+at .*:\d+:\d+|EISDIR|ENOENT|EEXIST/;
const SUITE = 'suites/standard.suite.yaml';
const SCENARIO = 'scenarios/telecom-upgrade.scenario.yaml';

/** The table; RUN stands for a finished run directory made in `before`. */
export const BAD_INPUTS: Case[] = [
  // eval: the suite file
  { args: ['eval'], code: 2, stderr: /userlm eval: missing suite file\nusage: userlm eval <suite>/ },
  { args: ['eval', 'nope.suite.yaml'], code: 2, stderr: /suite file 'nope\.suite\.yaml' does not exist/ },
  { args: ['eval', 'suites'], code: 2, stderr: /'suites' is a folder, not a suite file; in it: suites\/adversarial\.suite\.yaml, suites\/standard\.suite\.yaml/ },
  { args: ['eval', 'bad/empty.suite.yaml'], code: 2, stderr: /'bad\/empty\.suite\.yaml' is empty; a suite file is YAML starting with kind: suite/ },
  { args: ['eval', 'bad/comments.suite.yaml'], code: 2, stderr: /'bad\/comments\.suite\.yaml' is empty/ },
  { args: ['eval', 'bad/binary.suite.yaml'], code: 2, stderr: /'bad\/binary\.suite\.yaml' is not a text file \(binary data at byte 3\)/ },
  { args: ['eval', 'bad/latin1.suite.yaml'], code: 2, stderr: /'bad\/latin1\.suite\.yaml' is not UTF-8 text/ },
  { args: ['eval', 'bad/list.suite.yaml'], code: 2, stderr: /'bad\/list\.suite\.yaml' is not a suite file: it holds a list/ },
  { args: ['eval', 'bad/nokind.yaml'], code: 2, stderr: /'bad\/nokind\.yaml' has no 'kind:'; a suite file starts with kind: suite/ },
  { args: ['eval', SCENARIO], code: 2, stderr: /is a scenario file \(kind: scenario\), not a suite file/ },
  { args: ['eval', 'bad/syntax.suite.yaml'], code: 1, stderr: /bad\/syntax\.suite\.yaml:\d+:\d+: \w/ },
  { args: ['eval', 'bad/wrongtype.suite.yaml'], code: 1, stderr: /bad\/wrongtype\.suite\.yaml:3:\d+: `scenarios` must be a list, not an integer\nuserlm eval: 1 error; fix them first/ },
  { args: ['eval', 'bad/nan.suite.yaml'], code: 1, stderr: /bad\/nan\.rewards\.yaml:\d+:\d+: `components\[0\]\.weight` must be at least 0, not \.nan \(not a number\)/ },
  { args: ['eval', 'bad/unknown-scenario.suite.yaml'], code: 1, stderr: /bad\/unknown-scenario\.suite\.yaml:3:\d+: `scenarios\[0\]`: no scenario `no-such-scenario` in the workspace\nuserlm eval: 1 error; fix them first/ },
  // eval: flags
  { args: ['eval', SUITE, '--concurrency', '0'], code: 2, stderr: /--concurrency must be at least 1, got 0/ },
  { args: ['eval', SUITE, '--concurrency', '513'], code: 2, stderr: /--concurrency must be at most 512, got 513/ },
  { args: ['eval', SUITE, '--concurrency', 'abc'], code: 2, stderr: /--concurrency must be a whole number, got 'abc'/ },
  { args: ['eval', SUITE, '--concurrency'], code: 2, stderr: /--concurrency needs a value/ },
  { args: ['eval', SUITE, '--concurrency', '--limit', '2'], code: 2, stderr: /--concurrency needs a value/ },
  { args: ['eval', SUITE, '--limit', '2', '--limit', '3'], code: 2, stderr: /--limit given twice/ },
  { args: ['eval', SUITE, '--limit', '0'], code: 2, stderr: /--limit must be at least 1, got 0/ },
  { args: ['eval', SUITE, '--limit', '2.5'], code: 2, stderr: /--limit must be a whole number, got '2\.5'/ },
  { args: ['eval', SUITE, '--limit', 'NaN'], code: 2, stderr: /--limit must be a whole number, got 'NaN'/ },
  { args: ['eval', SUITE, '--only', 'zzz*'], code: 2, stderr: /--only 'zzz\*' matches none of the suite's 10 dialogues \(ids are <scenario>:<profile>:<sample>, e\.g\. telecom-upgrade:margaret-chen:0/ },
  { args: ['eval', SUITE, '--only', ''], code: 2, stderr: /--only needs a glob/ },
  { args: ['eval', SUITE, '--out', 'bad/empty.suite.yaml'], code: 2, stderr: /--out 'bad\/empty\.suite\.yaml' is a file, not a folder/ },
  { args: ['eval', SUITE, '--resume', 'nowhere'], code: 2, stderr: /'nowhere' is not a run directory \(no run\.json\) nor a run id under / },
  { args: ['eval', SUITE, '--resume', 'RUN', '--out', 'x'], code: 2, stderr: /--out and --resume do not go together/ },
  { args: ['eval', SUITE, 'extra'], code: 2, stderr: /unexpected argument: extra/ },
  { args: ['eval', SUITE, '--bogus'], code: 2, stderr: /unknown option --bogus/ },
  { args: ['eval', SUITE, '--root', 'nowhere'], code: 2, stderr: /--root 'nowhere' does not exist/ },
  { args: ['eval', SUITE, '--root', SCENARIO], code: 2, stderr: /--root '.*' is a file, not a folder/ },
  { args: ['eval', 'suites/adversarial.suite.yaml', '--resume', 'RUN'], code: 1, stderr: /this run is of suite 'standard', not 'adversarial'/ },
  // run
  { args: ['run'], code: 2, stderr: /missing scenario file/ },
  { args: ['run', 'profiles/dev-patel.profile.yaml'], code: 2, stderr: /'profiles\/dev-patel\.profile\.yaml' is a profile file \(kind: profile\), not a scenario file/ },
  { args: ['run', SUITE], code: 2, stderr: /is a suite file \(kind: suite\), not a scenario file/ },
  { args: ['run', 'scenarios'], code: 2, stderr: /'scenarios' is a folder, not a scenario file; in it: scenarios\/\w/ },
  { args: ['run', 'bad/empty.suite.yaml'], code: 2, stderr: /is empty; a scenario file is YAML starting with kind: scenario/ },
  { args: ['run', SCENARIO, '--turns', '-5'], code: 2, stderr: /--turns must be at least 1, got -5/ },
  { args: ['run', SCENARIO, '--turns', '0'], code: 2, stderr: /--turns must be at least 1, got 0/ },
  { args: ['run', SCENARIO, '--turns', '501'], code: 2, stderr: /--turns must be at most 500, got 501/ },
  { args: ['run', SCENARIO, '--seed', '1.5'], code: 2, stderr: /--seed must be a whole number, got '1\.5'/ },
  { args: ['run', SCENARIO, '--seed', ''], code: 2, stderr: /--seed must be a whole number, got ''/ },
  { args: ['run', SCENARIO, '--profile', 'nobody'], code: 1, stderr: /userlm run: profile 'nobody' is not in the workspace \(known: aisha-khan, / },
  { args: ['run', SCENARIO, '--agent', 'nobody'], code: 1, stderr: /userlm run: unknown agent 'nobody'/ },
  { args: ['run', SCENARIO, '--simulator', 'nobody'], code: 1, stderr: /userlm run: unknown simulator 'nobody'/ },
  { args: ['run', SCENARIO, '--json=yes'], code: 2, stderr: /--json takes no value/ },
  { args: ['run', SCENARIO, SCENARIO], code: 2, stderr: /unexpected argument: / },
  // compare, report, validate, export, trust, unknown commands
  { args: ['compare', 'RUN'], code: 2, stderr: /missing run directory/ },
  { args: ['compare', 'RUN', 'nowhere'], code: 2, stderr: /'nowhere' is not a run directory/ },
  { args: ['compare', 'RUN', 'RUN', 'RUN'], code: 2, stderr: /unexpected argument: / },
  { args: ['report'], code: 2, stderr: /missing run directory/ },
  { args: ['report', 'RUN', '--html', 'suites'], code: 2, stderr: /--html 'suites' is a folder; give a file name/ },
  { args: ['report', 'RUN', '--html', `${SCENARIO}/x.html`], code: 2, stderr: /--html '.*x\.html': .*telecom-upgrade\.scenario\.yaml is a file, not a folder/ },
  { args: ['validate', '--root', 'nowhere'], code: 2, stderr: /--root 'nowhere' does not exist/ },
  { args: ['validate', '--format', 'xml'], code: 2, stderr: /--format must be text or json, got 'xml'/ },
  { args: ['validate', 'nothing-here/*.yaml'], code: 2, stderr: /no file matches 'nothing-here\/\*\.yaml'/ },
  { args: ['export', 'RUN', '--format', 'sft'], code: 2, stderr: /--out FILE is required/ },
  { args: ['export', 'RUN', '--format', 'csv', '--out', 'x.jsonl'], code: 2, stderr: /--format must be sft or rl, got 'csv'/ },
  { args: ['export', 'RUN', '--format', 'sft', '--out', 'suites'], code: 2, stderr: /--out 'suites' is a folder; give a file name/ },
  { args: ['export', 'RUN', '--format', 'sft', '--out', 'x.jsonl', '--split', '2'], code: 2, stderr: /--split must be in \(0, 1\], got 2/ },
  { args: ['export', 'RUN', '--format', 'sft', '--out', 'x.jsonl', '--min-total', 'high'], code: 2, stderr: /--min-total must be a number, got 'high'/ },
  { args: ['trust', 'suites', 'scenarios'], code: 2, stderr: /give one folder, got 2/ },
  { args: ['trust', SCENARIO], code: 2, stderr: /is a file; give the workspace folder/ },
  { args: ['trust', '--list', 'suites'], code: 2, stderr: /--list takes no folder/ },
  { args: ['evl', SUITE], code: 2, stderr: /userlm: unknown command 'evl'\. Run 'userlm --help' for the list\./ },
];

describe('cli: every bad input gets a clear error (exit status and message)', function () {
  this.timeout(300000);
  let ws: TempWorkspace;
  let run = '';
  let runsBefore: string[] = [];
  before(() => {
    ws = sampleWorkspace();
    mkdirSync(join(ws.root, 'bad'));
    ws.write('bad/empty.suite.yaml', '');
    ws.write('bad/comments.suite.yaml', '# a suite, some day\n\n   # nothing yet\n');
    writeFileSync(join(ws.root, 'bad/binary.suite.yaml'), Buffer.from([0x6b, 0x69, 0x6e, 0x00, 0xff, 0x10, 0x00]));
    writeFileSync(join(ws.root, 'bad/latin1.suite.yaml'), Buffer.from('kind: suite\nid: caf\xe9\n', 'latin1'));
    ws.write('bad/list.suite.yaml', '- telecom-upgrade\n- refund-damaged-blender\n');
    ws.write('bad/nokind.yaml', 'id: x\nscenarios: [telecom-upgrade]\n');
    ws.write('bad/syntax.suite.yaml', 'kind: suite\nid: [oops\nscenarios: [telecom-upgrade]\n');
    ws.write('bad/wrongtype.suite.yaml', 'kind: suite\nid: wrongtype\nscenarios: 5\n');
    ws.write('bad/unknown-scenario.suite.yaml', 'kind: suite\nid: unknown\nscenarios: [no-such-scenario]\n');
    ws.write('bad/nan.rewards.yaml', 'kind: rewards\nid: nan\ncomponents:\n  - name: format\n    kind: rule\n    weight: .nan\n');
    ws.write('bad/nan.suite.yaml', 'kind: suite\nid: nan\nscenarios: [telecom-upgrade]\nrewards: nan.rewards.yaml\n');
    const made = cli(['eval', SUITE, '--limit', '1'], ws.root);
    assert.equal(made.code, 0, made.stderr);
    run = join(ws.root, /run directory: (.+)/.exec(made.stdout)![1].trim());
    runsBefore = readdirSync(join(ws.root, '.userlm', 'runs'));
  });
  after(() => ws.dispose());

  for (const c of BAD_INPUTS) {
    it(`userlm ${c.args.map((a) => (a === '' ? "''" : a)).join(' ')} → exit ${c.code}`, () => {
      const r = cli(c.args.map((a) => (a === 'RUN' ? run : a)), ws.root);
      assert.equal(r.code, c.code, `exit ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
      assert.match(r.stderr, c.stderr);
      assert.doesNotMatch(r.stderr, INTERNALS, 'no JavaScript internals');
      if (c.stdout) assert.match(r.stdout, c.stdout);
      else assert.equal(r.stdout, '', 'nothing on stdout (no header before an error)');
    });
  }

  it('no bad input left a run directory behind or touched the finished run', () => {
    assert.deepEqual(readdirSync(join(ws.root, '.userlm', 'runs')), runsBefore);
    assert.equal(readFileSync(join(run, 'transcripts.jsonl'), 'utf8').split('\n').filter(Boolean).length, 1);
  });
});

describe('cli: eval --limit and --only', function () {
  this.timeout(120000);
  let ws: TempWorkspace;
  before(() => { ws = sampleWorkspace(); });
  after(() => ws.dispose());
  const ids = (dir: string) => readFileSync(join(dir, 'transcripts.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { dialogue_id: string }).dialogue_id);
  const runDir = (stdout: string) => join(ws.root, /run directory: (.+)/.exec(stdout)![1].trim());

  it('--only GLOB keeps the dialogues whose id or scenario id matches; --limit N the first N of them', () => {
    const only = cli(['eval', SUITE, '--only', 'refund-*'], ws.root);
    assert.equal(only.code, 0, only.stderr);
    assert.match(only.stderr, /: 2 dialogues\n/);
    const refund = ids(runDir(only.stdout)).sort();
    assert.equal(refund.length, 2);
    assert.ok(refund.every((id, i) => id.startsWith('refund-damaged-blender:') && id.endsWith(`:${i}`)), refund.join(', '));
    const byId = cli(['eval', SUITE, '--only', '*:*:1', '--limit', '2'], ws.root);
    assert.equal(byId.code, 0, byId.stderr);
    const second = ids(runDir(byId.stdout)).sort();
    assert.equal(second.length, 2, 'the first 2 of the 5 second samples, in plan order');
    assert.ok(second[0].startsWith('refund-damaged-blender:') && second[1].startsWith('telecom-upgrade:') && second.every((id) => id.endsWith(':1')), second.join(', '));
  });

  it('a limited run records its selection; a resume without flags runs the rest, without duplicates', () => {
    const first = cli(['eval', SUITE, '--limit', '3'], ws.root);
    assert.equal(first.code, 0, first.stderr);
    const dir = runDir(first.stdout);
    assert.equal(ids(dir).length, 3);
    assert.deepEqual((JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { selection: unknown; status: string }).selection, { limit: 3 });
    const rest = cli(['eval', SUITE, '--resume', dir], ws.root);
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stderr, /10 dialogues \(3 already finished\)/);
    const all = ids(dir);
    assert.equal(all.length, 10);
    assert.equal(new Set(all).size, 10);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { selection?: unknown; status: string };
    assert.equal(run.selection, undefined);
    assert.equal(run.status, 'completed');
  });
});
