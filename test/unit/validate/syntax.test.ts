// YAML syntax errors: one diagnostic per problem, in plain words, with the fix.
import assert from 'node:assert/strict';
import { analyzeText, sortProblems, type Problem } from '../../../core/validate/index';

const syntax = (text: string) => analyzeText(text, '/w/s.scenario.yaml').local.filter((p) => p.code === 'syntax').map((p) => [p.range.start.line, p.range.start.character, p.range.end.character, p.message]);

describe('YAML syntax errors in plain words', () => {
  it('one misplaced `- id:` line: one diagnostic on that line, saying how many spaces to add', () => {
    const text = 'kind: scenario\nid: s\nprofile: p\ntargets:\n  - id: a\n    description: x\n - id: b\n    description: y\n  - id: c\n    description: z\n';
    assert.deepEqual(syntax(text), [[6, 0, 1, 'this line is indented by 1 space but belongs at 2: indent it by 1 more space']]);
  });

  it('a tab in the indentation: one diagnostic at the tab', () => {
    assert.deepEqual(syntax('kind: scenario\nid: s\ntargets:\n  - id: a\n\tdescription: x\n'), [[4, 0, 1, 'tabs are not allowed for indentation: indent this line with spaces']]);
  });

  it('too little and too much indentation', () => {
    assert.deepEqual(syntax('kind: scenario\nid: s\ntargets:\n  - id: a\n   description: x\n'), [[4, 0, 3, 'this line is indented by 3 spaces but belongs at 4: indent it by 1 more space']]);
    assert.deepEqual(syntax('kind: profile\nid: x\nname: y\ndemographics:\n  age: 3\n    occupation: z\n'), [[5, 0, 4, 'this line is indented by 4 spaces but belongs at 2: remove 2 spaces of indentation']]);
  });

  it('other parser errors: the first per line, plainer', () => {
    const s = syntax('kind: scenario\nid: s\nid: t\n');
    assert.equal(s.length, 1);
    assert.match(String(s[0][3]), /this key appears twice/);
  });

  it('no two problems on one range: the most severe stays', () => {
    const r = { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } };
    const mk = (severity: Problem['severity'], code: string): Problem => ({ file: 'f', range: r, severity, code, message: code });
    assert.deepEqual(sortProblems([mk('warning', 'w'), mk('error', 'e'), mk('error', 'e2')]).map((p) => p.code), ['e']);
  });
});
