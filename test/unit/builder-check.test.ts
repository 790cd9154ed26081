// builder.container from the student's own commands (issue 11 point 3).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { builderCheck } from '../../grader/checks/builder-check.ts';
import { extractMarkdownCommands } from '../../grader/commands/markdown.ts';
import { parseShellText } from '../../grader/commands/parse.ts';

const script = (text: string) => parseShellText(text, { file: 'build.sh', style: 'script' });
const buildOf = (cmds: ReturnType<typeof script>) => cmds.filter((c) => c.kind === 'buildx-build').at(-1);

describe('builderCheck', () => {
  test('the real student report: docker-container builder named in --builder of the builds → pass, quoting the line', async () => {
    const cmds = extractMarkdownCommands(await readFile('test/fixtures/commands/sprawozdanie-fragment.md', 'utf8'), 'sprawozdanie.md');
    const check = builderCheck({ commands: cmds, build: buildOf(cmds) });
    assert.equal(check.status, 'pass', check.message);
    assert.equal(check.message, 'Student utworzył builder docker-container multiarch-builder i buduje nim (sprawozdanie.md, wiersz 3).');
    assert.deepEqual(check.evidence[0]?.kind === 'table' ? check.evidence[0].rows : [], [['sprawozdanie.md, wiersz 3', 'multiarch-builder', 'docker-container', 'nie']]);
  });

  test('the lab\'s form: create --use, no --driver (buildx defaults to docker-container) → pass', () => {
    const cmds = script('docker buildx create --name b --use --bootstrap\ndocker buildx build --push -t r/a:1 .\n');
    assert.equal(builderCheck({ commands: cmds, build: buildOf(cmds) }).status, 'pass');
    const viaUse = script('docker buildx create --driver docker-container --name b\ndocker buildx use b\ndocker buildx build -t r/a:1 .\n');
    assert.equal(builderCheck({ commands: viaUse, build: buildOf(viaUse) }).status, 'pass');
  });

  test('created but never used, another driver, no create at all, no commands: each fails saying why', () => {
    const unused = script('docker buildx create --driver docker-container --name b\ndocker buildx build -t r/a:1 .\n');
    assert.match(builderCheck({ commands: unused, build: buildOf(unused) }).message, /ale nic nie wskazuje, że budowanie go używa/);
    const kube = script('docker buildx create --driver kubernetes --name k --use\n');
    assert.match(builderCheck({ commands: kube }).message, /nie używa sterownika docker-container \(--driver kubernetes\)/);
    const none = script('docker buildx build -t r/a:1 .\n');
    const noCreate = builderCheck({ commands: none, build: buildOf(none) });
    assert.equal(noCreate.status, 'fail');
    assert.match(noCreate.message, /^Brak dowodu: /);
    assert.match(builderCheck({ commands: [] }).message, /^Brak polecenia studenta: /);
  });

  test('no create command, but a pasted build log whose BuildKit driver line names docker-container → pass, quoting that line', () => {
    const cmds = script('docker buildx build --push -t r/a:1 .\n');
    const check = builderCheck({ commands: cmds, build: buildOf(cmds), driverLines: [{ file: 'README.md', line: 42, name: 'lab7' }] });
    assert.equal(check.status, 'pass', check.message);
    assert.equal(check.message, 'Log budowania wklejony przez studenta pokazuje builder docker-container lab7 (README.md, wiersz 42).');
    const log = check.evidence.find((e) => e.kind === 'log');
    assert.deepEqual(log?.kind === 'log' ? log.lines : [], [{ n: 42, text: '#0 building with "lab7" instance using docker-container driver', highlight: true }]);
  });
});
