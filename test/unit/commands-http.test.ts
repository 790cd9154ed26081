// registryRequestOf: a student's curl/wget/PowerShell command → the registry API request it makes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseShellText } from '../../grader/commands/parse.ts';
import { registryRequestOf, type RegistryRequest } from '../../grader/commands/http.ts';
import type { ParsedCommand } from '../../grader/commands/types.ts';

const HEX = '0123456789abcdef'.repeat(4);
const DIGEST = `sha256:${HEX}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Every command of one console line, as a report's code block gives them. */
function commands(text: string): ParsedCommand[] {
  return parseShellText(text, { file: 'sprawozdanie.md', style: 'console' });
}

/** The request of the line's first command (the line must hold exactly `count` commands). */
function requestOf(text: string, count = 1): RegistryRequest | null {
  const cs = commands(text);
  assert.equal(cs.length, count, `commands of ${text}: ${JSON.stringify(cs.map((c) => c.argv))}`);
  return registryRequestOf(cs[0]!);
}

describe('registryRequestOf: HEAD', () => {
  test('curl -I', () => {
    assert.deepEqual(requestOf('curl -I http://localhost:5000/v2/s12345/app/manifests/buildcache'), {
      tool: 'curl',
      method: 'HEAD',
      url: 'http://localhost:5000/v2/s12345/app/manifests/buildcache',
      headers: [],
      manifest: { repository: 's12345/app', reference: 'buildcache' },
    });
  });

  test('curl -sI: -I inside a cluster of short flags', () => {
    assert.deepEqual(requestOf('$ curl -sI http://127.0.0.1:5000/v2/app/manifests/latest'), {
      tool: 'curl',
      method: 'HEAD',
      url: 'http://127.0.0.1:5000/v2/app/manifests/latest',
      headers: [],
      manifest: { repository: 'app', reference: 'latest' },
    });
  });

  test('curl -fsSI -H "Accept: ...": the cluster before -H is HEAD, the header is its value', () => {
    assert.deepEqual(requestOf(`curl -fsSI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/app/manifests/buildcache`), {
      tool: 'curl',
      method: 'HEAD',
      url: 'http://localhost:5000/v2/app/manifests/buildcache',
      headers: [`Accept: ${OCI_MANIFEST}`],
      manifest: { repository: 'app', reference: 'buildcache' },
    });
  });

  test('curl --head', () => {
    const r = requestOf('curl --head http://localhost:5000/v2/app/manifests/buildcache');
    assert.equal(r?.tool, 'curl');
    assert.equal(r?.method, 'HEAD');
  });

  test('an -H value with a capital I in it does not make a GET a HEAD', () => {
    const r = requestOf('curl -s -H "X-Info: 1" http://localhost:5000/v2/app/manifests/buildcache');
    assert.equal(r?.method, 'GET');
    assert.deepEqual(r?.headers, ['X-Info: 1']);
  });

  test('curl through a path (/usr/bin/curl) is curl', () => {
    const r = requestOf('/usr/bin/curl -I http://localhost:5000/v2/app/manifests/latest');
    assert.equal(r?.tool, 'curl');
    assert.equal(r?.method, 'HEAD');
  });

  test('wget --spider is HEAD; --header= and --header values kept in order', () => {
    assert.deepEqual(requestOf('wget --spider --header="Accept: a" --header "Accept: b" http://localhost:5000/v2/app/manifests/buildcache'), {
      tool: 'wget',
      method: 'HEAD',
      url: 'http://localhost:5000/v2/app/manifests/buildcache',
      headers: ['Accept: a', 'Accept: b'],
      manifest: { repository: 'app', reference: 'buildcache' },
    });
  });

  test('curl -sIH "Accept: ...": the header of a cluster ending in H is kept', () => {
    const r = requestOf(`curl -sIH "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/app/manifests/buildcache`);
    assert.equal(r?.method, 'HEAD');
    assert.deepEqual(r?.headers, [`Accept: ${OCI_MANIFEST}`]);
  });
});

describe('registryRequestOf: DELETE', () => {
  test('curl -X DELETE with a digest: repository with a slash, reference the digest', () => {
    assert.deepEqual(requestOf(`curl -X DELETE http://localhost:5000/v2/s1/app/manifests/${DIGEST}`), {
      tool: 'curl',
      method: 'DELETE',
      url: `http://localhost:5000/v2/s1/app/manifests/${DIGEST}`,
      headers: [],
      manifest: { repository: 's1/app', reference: DIGEST },
    });
  });

  test('curl -XDELETE (no space)', () => {
    assert.deepEqual(requestOf('curl -XDELETE http://localhost:5000/v2/app/manifests/$DIGEST'), {
      tool: 'curl',
      method: 'DELETE',
      url: 'http://localhost:5000/v2/app/manifests/$DIGEST',
      headers: [],
      manifest: { repository: 'app', reference: '$DIGEST' },
    });
  });

  test('curl --request=DELETE', () => {
    const r = requestOf('curl --request=DELETE http://localhost:5000/v2/app/manifests/$DIGEST');
    assert.equal(r?.method, 'DELETE');
    assert.deepEqual(r?.manifest, { repository: 'app', reference: '$DIGEST' });
  });

  test('curl --request delete: the method is upper-cased', () => {
    const r = requestOf(`curl --request delete "http://localhost:5000/v2/s1/app/manifests/${DIGEST}"`);
    assert.equal(r?.method, 'DELETE');
    assert.equal(r?.url, `http://localhost:5000/v2/s1/app/manifests/${DIGEST}`);
  });

  test('curl.exe -X DELETE after a PowerShell prompt (Windows)', () => {
    assert.deepEqual(requestOf('PS C:\\Users\\student> curl.exe -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST'), {
      tool: 'curl',
      method: 'DELETE',
      url: 'http://localhost:5000/v2/s12345/app/manifests/$DIGEST',
      headers: [],
      manifest: { repository: 's12345/app', reference: '$DIGEST' },
    });
  });

  test('C:\\Windows\\System32\\curl.exe in PowerShell is curl', () => {
    const r = requestOf('PS C:\\> C:\\Windows\\System32\\curl.exe -X DELETE http://localhost:5000/v2/app/manifests/$DIGEST');
    assert.equal(r?.tool, 'curl');
    assert.equal(r?.method, 'DELETE');
  });

  test('Invoke-WebRequest -Method Delete -Uri http://...', () => {
    assert.deepEqual(requestOf(`Invoke-WebRequest -Method Delete -Uri http://localhost:5000/v2/s12345/app/manifests/${DIGEST}`), {
      tool: 'powershell',
      method: 'DELETE',
      url: `http://localhost:5000/v2/s12345/app/manifests/${DIGEST}`,
      headers: [],
      manifest: { repository: 's12345/app', reference: DIGEST },
    });
  });

  test('irm -Headers: the table kept as one header', () => {
    const r = requestOf('irm -Method HEAD -Uri http://localhost:5000/v2/app/manifests/buildcache -Headers @{Accept="x"}');
    assert.equal(r?.tool, 'powershell');
    assert.equal(r?.method, 'HEAD');
    assert.deepEqual(r?.headers, ['@{Accept=x}']);
  });

  test('wget --method=DELETE', () => {
    assert.deepEqual(requestOf('wget --method=DELETE http://localhost:5000/v2/app/manifests/$DIGEST'), {
      tool: 'wget',
      method: 'DELETE',
      url: 'http://localhost:5000/v2/app/manifests/$DIGEST',
      headers: [],
      manifest: { repository: 'app', reference: '$DIGEST' },
    });
  });

  test('sudo comes off before the request is read', () => {
    const r = requestOf('sudo curl -X DELETE http://localhost:5000/v2/app/manifests/$DIGEST');
    assert.equal(r?.tool, 'curl');
    assert.equal(r?.method, 'DELETE');
  });
});

describe('registryRequestOf: headers, URL and manifest', () => {
  test('several -H headers kept in order, also --header', () => {
    const r = requestOf('curl -H "Accept: a" -H "Accept: b" --header "X-Three: c" -I http://localhost:5000/v2/app/manifests/buildcache');
    assert.deepEqual(r?.headers, ['Accept: a', 'Accept: b', 'X-Three: c']);
  });

  test('-HValue and --header=Value', () => {
    const r = requestOf('curl --header="Accept: a" -HAccept:b http://localhost:5000/v2/_catalog');
    assert.deepEqual(r?.headers, ['Accept: a', 'Accept:b']);
  });

  test('GET of /v2/_catalog: no manifest', () => {
    assert.deepEqual(requestOf('curl -s http://localhost:5000/v2/_catalog'), {
      tool: 'curl',
      method: 'GET',
      url: 'http://localhost:5000/v2/_catalog',
      headers: [],
      manifest: null,
    });
  });

  test('tags/list and blobs are no manifests', () => {
    assert.equal(requestOf('curl http://localhost:5000/v2/s1/app/tags/list')?.manifest, null);
    const blob = requestOf(`curl -X DELETE http://localhost:5000/v2/s1/app/blobs/${DIGEST}`);
    assert.equal(blob?.method, 'DELETE');
    assert.equal(blob?.manifest, null);
  });

  test('manifest by digest: repository and reference split at /manifests/', () => {
    assert.deepEqual(requestOf(`curl -I http://localhost:5000/v2/s1/app/manifests/${DIGEST}`)?.manifest, { repository: 's1/app', reference: DIGEST });
  });

  test('manifest by variable: $DIGEST kept as written', () => {
    assert.deepEqual(requestOf('curl -X DELETE "http://localhost:5000/v2/s1/app/manifests/$DIGEST"')?.manifest, { repository: 's1/app', reference: '$DIGEST' });
  });

  test('reference ends before a query string', () => {
    assert.deepEqual(requestOf(`curl -X DELETE "http://localhost:5000/v2/s1/app/manifests/${DIGEST}?x=1"`)?.manifest, { repository: 's1/app', reference: DIGEST });
  });

  test('empty reference after /manifests/', () => {
    assert.deepEqual(requestOf('curl -X DELETE http://localhost:5000/v2/s1/app/manifests/')?.manifest, { repository: 's1/app', reference: '' });
  });

  test('without /v2/: null', () => {
    assert.equal(requestOf('curl -I http://localhost:5000/health'), null);
    assert.equal(requestOf('curl -X DELETE http://localhost:5000/s1/app/manifests/buildcache'), null);
  });

  test('docker and other programs: null, even with /v2/ in a word', () => {
    assert.equal(requestOf('docker buildx imagetools inspect localhost:5000/app:buildcache'), null);
    assert.equal(requestOf('docker run --rm curlimages/curl -X DELETE http://registry7:5000/v2/app/manifests/$DIGEST'), null);
    assert.equal(requestOf('echo http://localhost:5000/v2/app/manifests/latest'), null);
  });

  test('a pipeline: the curl part is the request, the other part is not', () => {
    const cs = commands('curl -s http://localhost:5000/v2/s1/app/tags/list | jq .');
    assert.deepEqual(cs.map((c) => c.argv[0]), ['curl', 'jq']);
    assert.equal(registryRequestOf(cs[0]!)?.url, 'http://localhost:5000/v2/s1/app/tags/list');
    assert.equal(registryRequestOf(cs[1]!), null);
  });

  test('inside $(...): the assignment is no request, the curl inside is', () => {
    const cs = commands(`DIGEST=$(curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/app/manifests/buildcache | grep -i docker-content-digest | cut -d' ' -f2)`);
    assert.deepEqual(cs.map((c) => c.argv[0] ?? null), [null, 'curl', 'grep', 'cut']);
    assert.equal(registryRequestOf(cs[0]!), null);
    assert.deepEqual(registryRequestOf(cs[1]!), {
      tool: 'curl',
      method: 'HEAD',
      url: 'http://localhost:5000/v2/app/manifests/buildcache',
      headers: [`Accept: ${OCI_MANIFEST}`],
      manifest: { repository: 'app', reference: 'buildcache' },
    });
    assert.equal(registryRequestOf(cs[2]!), null);
  });
});
