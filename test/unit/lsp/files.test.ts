// core/files.ts is the one home of file patterns and language ids: package.json must declare
// exactly its languages, and every pattern must name what the kind detection recognises.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { LANGUAGES, LANGUAGE_IDS, FILE_GLOB, FILE_GLOBS, kindFromPath, languageIdOf, isOwnedFile } from '../../../core/files';
import { ROOT } from './lsp-client';

describe('core/files: patterns and language ids', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  it('package.json declares exactly the languages of core/files.ts, with the same file patterns', () => {
    const declared = pkg.contributes.languages.map((l: { id: string; aliases: string[]; filenamePatterns?: string[]; filenames?: string[] }) => ({ id: l.id, alias: l.aliases[0], filenamePatterns: l.filenamePatterns, filenames: l.filenames }));
    assert.deepEqual(declared, LANGUAGES.map((l) => ({ id: l.id, alias: l.alias, filenamePatterns: l.filenamePatterns, filenames: l.filenames })));
    const activation = pkg.activationEvents.filter((e: string) => e.startsWith('onLanguage:')).map((e: string) => e.slice('onLanguage:'.length));
    assert.deepEqual(activation, [...LANGUAGE_IDS]);
  });

  it('.yaml and .yml name the same kinds everywhere', () => {
    for (const ext of ['yaml', 'yml']) {
      assert.equal(kindFromPath(`/w/a/x.profile.${ext}`), 'profile');
      assert.equal(kindFromPath(`/w/x.scenario.${ext}`), 'scenario');
      assert.equal(kindFromPath(`/w/x.suite.${ext}`), 'suite');
      assert.equal(kindFromPath(`/w/x.rewards.${ext}`), 'rewards');
      assert.equal(kindFromPath(`/w/userlm.${ext}`), 'workspace');
      assert.equal(languageIdOf(kindFromPath(`/w/x.scenario.${ext}`)!), 'userlm-scenario');
    }
    assert.equal(kindFromPath('/w/deploy.yaml'), undefined);
    assert.equal(kindFromPath('/w/x.profile.json'), undefined);
  });

  it('the watcher glob and the scan globs match the same names as the kind detection', () => {
    const one = picomatch(FILE_GLOB);
    const many = picomatch([...FILE_GLOBS]);
    for (const name of ['a/x.profile.yaml', 'a/b/x.scenario.yml', 'x.suite.yaml', 'r/x.rewards.yml', 'userlm.yml', 'sub/userlm.yaml', 'k8s/deploy.yaml', 'x.profile.json', 'notuserlm.yaml']) {
      assert.equal(one(name), isOwnedFile(name), `${name}: FILE_GLOB`);
      assert.equal(many(name) || many(`./${name}`) || picomatch([...FILE_GLOBS])(`d/${name}`), isOwnedFile(name), `${name}: FILE_GLOBS`);
    }
  });
});
