// How the student's registry7 was started decides whether the copy their deletion script runs on
// allows deleting (issue 11 point 4: delete disabled → 405 is the student's wrong answer).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgeScript } from '../../grader/bonus/judge.ts';
import { registryDeleteSetting } from '../../grader/bonus/registry7-setup.ts';
import type { ScriptOutcome } from '../../grader/bonus/types.ts';
import { parseShellText } from '../../grader/commands/parse.ts';

const cmds = (text: string) => parseShellText(text, { file: 'build.sh', style: 'script' });

describe('registryDeleteSetting', () => {
  test('the lab form with -e REGISTRY_STORAGE_DELETE_ENABLED=true: on, naming the line', () => {
    const s = registryDeleteSetting(cmds('docker buildx ls\ndocker run -d -p 5000:5000 --restart=always --name registry7 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2\n'));
    assert.deepEqual(s, { enabled: true, basis: 'registry7 uruchomiono z REGISTRY_STORAGE_DELETE_ENABLED=true (build.sh, wiersz 2), więc kopia registry7 ma włączone usuwanie.' });
    for (const form of ['--env REGISTRY_STORAGE_DELETE_ENABLED=TRUE', '--env=REGISTRY_STORAGE_DELETE_ENABLED=true', '-eREGISTRY_STORAGE_DELETE_ENABLED=true']) {
      assert.equal(registryDeleteSetting(cmds(`docker run -d --name registry7 ${form} docker.io/library/registry:2.8\n`)).enabled, true, form);
    }
  });

  test('registry:2 started without it: off, as registry:2 defaults; explicitly false: off', () => {
    const off = registryDeleteSetting(cmds('docker run -d -p 5000:5000 --name registry7 registry:2\n'));
    assert.equal(off.enabled, false);
    assert.match(off.basis, /bez REGISTRY_STORAGE_DELETE_ENABLED=true \(build\.sh, wiersz 1\)/);
    assert.equal(registryDeleteSetting(cmds('docker container run -e REGISTRY_STORAGE_DELETE_ENABLED=false registry\n')).enabled, false);
  });

  test('the last start counts (recreated with deleting on); a mounted config file and no command at all: on, saying why', () => {
    assert.equal(registryDeleteSetting(cmds('docker run -d --name registry7 registry:2\ndocker rm -f registry7\ndocker run -d --name registry7 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2\n')).enabled, true);
    const config = registryDeleteSetting(cmds('docker run -d -v ./config.yml:/etc/docker/registry/config.yml registry:2\n'));
    assert.equal(config.enabled, true);
    assert.match(config.basis, /własnym plikiem konfiguracji/);
    const none = registryDeleteSetting(cmds('docker buildx build .\n'));
    assert.deepEqual(none, { enabled: true, basis: 'Praca nie podaje polecenia uruchamiającego registry7, więc kopia registry7 ma włączone usuwanie.' });
  });

  test('other images and other commands are not a registry start', () => {
    assert.equal(registryDeleteSetting(cmds('docker run -d myregistry:2\ndocker pull registry:2\n')).basis.startsWith('Praca nie podaje'), true);
  });
});

describe('judgeScript with deleting off in the copy', () => {
  test('the tag that survived is explained by the student\'s own registry7 setting', () => {
    const script: ScriptOutcome = {
      script: 'rm.sh', image: 'sandbox', exitCode: 1, timedOut: false, timeLimitMs: 60_000, durationMs: 100, output: 'DELETE -> 405', blockedConnections: [],
      registryDelete: { enabled: false, basis: 'off' },
      gcBy: 'sprawozdanie.md, wiersz 151',
      verification: { registry: 'r', repository: 's/a', imageTag: 'm', cacheTag: 'c', steps: [], sharedTags: [], cacheStatusAfter: 200, imageStatusAfter: 200 },
    };
    assert.deepEqual(judgeScript(script), { status: 'fail', findings: ['delete-disabled'] });
  });
});
