// Secrets in student material, in the formats their issuers document, never reach a report.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redact, redactDeep } from '../../grader/util/redact.ts';

// Made-up values in the real shapes: Docker Hub PAT (dckr_pat_ + 27), GitHub classic (ghp_ + 36)
// and fine-grained (github_pat_ + 22 + _ + 59), GitLab (glpat- + 20).
const DOCKER_PAT = 'dckr_pat_Xy3kQ9vL0aBcDeFgHiJkLmNoPqR';
const GHP = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
const GITHUB_PAT = `github_pat_11AAAAAAA0abcdefghijkl_${'a1B2c3D4e5'.repeat(5)}abcdefghi`;
const GLPAT = 'glpat-AbCdEfGhIjKlMnOpQrSt';

describe('redact', () => {
  test('tokens by prefix, wherever they stand', () => {
    for (const token of [DOCKER_PAT, GHP, GITHUB_PAT, GLPAT]) {
      const out = redact(`export TOKEN=${token} # mój token`);
      assert.ok(!out.includes(token.slice(-12)), out);
      assert.match(out, /\*\*\*/);
    }
  });

  test('docker login passwords, not docker run -p', () => {
    assert.equal(redact('$ docker login -u s12345 -p Haslo123! registry.lab'), '$ docker login -u s12345 -p *** registry.lab');
    assert.equal(redact('PS C:\\> docker login --password="tajne haslo"'), 'PS C:\\> docker login --password=***');
    assert.equal(redact(`echo '${DOCKER_PAT}' | docker login -u s1 --password-stdin`), 'echo *** | docker login -u s1 --password-stdin');
    assert.equal(redact('docker run -d -p 5000:5000 --name registry7 registry:2'), 'docker run -d -p 5000:5000 --name registry7 registry:2');
  });

  test('Authorization headers, URL credentials, curl -u, and auths of a pasted config.json', () => {
    assert.equal(redact('curl -H "Authorization: Bearer eyJhbGciOi.x.y" http://localhost:5000/v2/'), 'curl -H "Authorization: Bearer ***" http://localhost:5000/v2/');
    assert.equal(redact('curl -u admin:hunter2 -X DELETE http://localhost:5000/v2/a/manifests/sha256:1'), 'curl -u admin:*** -X DELETE http://localhost:5000/v2/a/manifests/sha256:1');
    assert.equal(redact('git clone https://s1:ghtoken@example.invalid/r.git'), 'git clone https://s1:***@example.invalid/r.git');
    const config = '{\n  "auths": {\n    "https://index.docker.io/v1/": {\n      "auth": "czEyMzQ1OmhhbHNv"\n    }\n  }\n}';
    assert.ok(!redact(config).includes('czEyMzQ1OmhhbHNv'));
    assert.doesNotThrow(() => JSON.parse(redact(config)));
  });

  test('ordinary build output passes unchanged', () => {
    for (const line of ['#8 [linux/arm64 build1 2/4] RUN npm ci', '#12 writing cache image manifest sha256:abc done', 'ERROR: failed to solve: exit code: 127']) {
      assert.equal(redact(line), line);
    }
  });

  test('redactDeep keeps the shape of a result and redacts every string in it', () => {
    const result = { checks: [{ id: 'x', evidence: [{ kind: 'text', text: `token ${GHP}` }], metrics: { n: 3 } }], ok: true };
    const out = redactDeep(result);
    assert.deepEqual(out.checks[0]!.metrics, { n: 3 });
    assert.equal(out.ok, true);
    assert.equal(out.checks[0]!.evidence[0]!.text, 'token ***');
    assert.equal(result.checks[0]!.evidence[0]!.text, `token ${GHP}`, 'the input is not changed');
  });
});
