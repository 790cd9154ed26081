// A FROM naming a registry host that does not exist is the student's typo; a broken resolver or
// a lookup of a public registry is the machine's (issue 11 point 8).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyBuild } from '../../grader/checks/build-failure.ts';
import { missingFromRegistryHost } from '../../grader/checks/from-host.ts';
import { parseBuildLog } from '../../grader/build-log/parse.ts';
import type { BuildOutcome } from '../../grader/docker/build-runner.ts';

const failed: BuildOutcome = { argv: [], exitCode: 1, timedOut: false, cancelled: false, durationMs: 1000, logPath: 'x', droppedLines: 0, metadata: {} };

// The final line's shape as BuildKit prints it (moby/moby#42867, percona/mongo_terraform_ansible#65,
// smithmicro/n7m#24), with the host of a student's misspelt FROM in it.
const TYPO = 'ERROR: failed to solve: regsitry.gitlab.com/s99656/base:1: failed to resolve source metadata for regsitry.gitlab.com/s99656/base:1: failed to do request: Head "https://regsitry.gitlab.com/v2/s99656/base/manifests/1": dial tcp: lookup regsitry.gitlab.com on 127.0.0.53:53: no such host';

describe('missingFromRegistryHost', () => {
  test('names the misspelt host of the image BuildKit was resolving', () => {
    assert.equal(missingFromRegistryHost(TYPO), 'regsitry.gitlab.com');
    // Without the resolver part ("lookup HOST: no such host"), as Docker Desktop prints it.
    assert.equal(missingFromRegistryHost(TYPO.replace(' on 127.0.0.53:53', '')), 'regsitry.gitlab.com');
    // With a port: the host is still the one looked up.
    assert.equal(missingFromRegistryHost(TYPO.replaceAll('regsitry.gitlab.com/', 'rejestr7.lab:5000/').replace('lookup regsitry.gitlab.com', 'lookup rejestr7.lab')), 'rejestr7.lab');
  });

  test('a public registry that does not resolve is the machine\'s DNS, not a typo', () => {
    // Real: docker/for-mac#2012, percona/mongo_terraform_ansible#65 (Docker Hub through docker.io).
    const hub = 'ERROR: failed to solve: redhat/ubi9-minimal: failed to resolve source metadata for docker.io/redhat/ubi9-minimal:latest: failed to do request: Head "https://registry-1.docker.io/v2/redhat/ubi9-minimal/manifests/latest": dial tcp: lookup registry-1.docker.io: no such host';
    assert.equal(missingFromRegistryHost(hub), undefined);
    const quay = TYPO.replaceAll('regsitry.gitlab.com', 'quay.io');
    assert.equal(missingFromRegistryHost(quay), undefined);
  });

  test('a resolver that fails or times out is the machine\'s', () => {
    // Real: beacon-biosignals/julia_pod#65 and smithmicro/n7m#24.
    assert.equal(missingFromRegistryHost(TYPO.replace('no such host', 'Temporary failure in name resolution')), undefined);
    assert.equal(missingFromRegistryHost(TYPO.replace('no such host', 'read udp 127.0.0.1:46706->127.0.0.53:53: i/o timeout')), undefined);
  });

  test('a lookup of a host other than the image\'s own (a mirror or proxy) is the machine\'s', () => {
    const mirror = 'ERROR: failed to solve: node:20-alpine: failed to resolve source metadata for docker.io/library/node:20-alpine: failed to do request: Head "https://dockerproxy.example/v2/library/node/manifests/20-alpine?ns=docker.io": dial tcp: lookup dockerproxy.example: no such host';
    assert.equal(missingFromRegistryHost(mirror), undefined);
  });

  test('classifyBuild: the typo is the student\'s failure with a hint naming the host; a Docker Hub outage stays infra', () => {
    const v = classifyBuild(failed, parseBuildLog(`#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n${TYPO}\n`));
    assert.equal(v.kind, 'student');
    assert.match(v.kind === 'student' ? v.hint ?? '' : '', /Rejestru regsitry\.gitlab\.com z instrukcji FROM nie ma w DNS/);
    const hub = classifyBuild(failed, parseBuildLog(`${TYPO.replaceAll('regsitry.gitlab.com', 'registry-1.docker.io')}\n`));
    assert.equal(hub.kind, 'infra');
  });
});
