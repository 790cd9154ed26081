import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../grader/errors.ts';
import { parseReference, referenceOf, withDigest, withTag } from '../../grader/registry/reference.ts';

const D = `sha256:${'a1'.repeat(32)}`;

describe('parseReference', () => {
  const valid: [string, { registry: string; apiHost: string; repository: string; tag?: string; digest?: string; canonical: string }][] = [
    ['alpine', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/alpine', tag: 'latest', canonical: 'docker.io/library/alpine:latest' }],
    ['user/repo', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'user/repo', tag: 'latest', canonical: 'docker.io/user/repo:latest' }],
    ['docker.io/user/repo:tag', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'user/repo', tag: 'tag', canonical: 'docker.io/user/repo:tag' }],
    ['docker.io/alpine:3.20', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/alpine', tag: '3.20', canonical: 'docker.io/library/alpine:3.20' }],
    ['index.docker.io/user/repo', { registry: 'index.docker.io', apiHost: 'registry-1.docker.io', repository: 'user/repo', tag: 'latest', canonical: 'index.docker.io/user/repo:latest' }],
    [`localhost:5000/x/y@${D}`, { registry: 'localhost:5000', apiHost: 'localhost:5000', repository: 'x/y', digest: D, canonical: `localhost:5000/x/y@${D}` }],
    ['127.0.0.1:5055/a/b:tag', { registry: '127.0.0.1:5055', apiHost: '127.0.0.1:5055', repository: 'a/b', tag: 'tag', canonical: '127.0.0.1:5055/a/b:tag' }],
    [`registry.example.edu:8443/a/b:v1.0@${D}`, { registry: 'registry.example.edu:8443', apiHost: 'registry.example.edu:8443', repository: 'a/b', tag: 'v1.0', digest: D, canonical: `registry.example.edu:8443/a/b:v1.0@${D}` }],
    ['localhost/s99656/app', { registry: 'localhost', apiHost: 'localhost', repository: 's99656/app', tag: 'latest', canonical: 'localhost/s99656/app:latest' }],
    // A single-name repository on a private registry gets no library/ prefix: that rule is Docker Hub's.
    ['127.0.0.1:5055/busybox', { registry: '127.0.0.1:5055', apiHost: '127.0.0.1:5055', repository: 'busybox', tag: 'latest', canonical: '127.0.0.1:5055/busybox:latest' }],
    ['[::1]:5000/a/b:c', { registry: '[::1]:5000', apiHost: '[::1]:5000', repository: 'a/b', tag: 'c', canonical: '[::1]:5000/a/b:c' }],
    ['ghcr.io/org/team/app-name_x:build-12', { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'org/team/app-name_x', tag: 'build-12', canonical: 'ghcr.io/org/team/app-name_x:build-12' }],
    ['  s99656/app:buildcache  ', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 's99656/app', tag: 'buildcache', canonical: 'docker.io/s99656/app:buildcache' }],
  ];
  for (const [input, want] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseReference(input), want);
    });
  }

  const invalid: [string, RegExp][] = [
    ['', /pusta/],
    ['User/Repo', /małymi literami/],
    ['repo:', /tag/],
    ['repo:-bad', /tag/],
    [`repo@sha256:${'a'.repeat(63)}`, /64/],
    ['repo@md5', /skrót/],
    ['127.0.0.1:5055/a b', /białe znaki/],
    ['https://127.0.0.1:5055/a/b', /schematu/],
    ['127.0.0.1:99999/a/b', /port/],
    ['localhost:5000/', /repozytorium/],
    ['a//b', /fragment/],
    ['a/-b', /fragment/],
    [`host.example/${'x'.repeat(260)}`, /255/],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)} with a Polish InputError naming the ref`, () => {
      assert.throws(
        () => parseReference(input),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.match(error.message, /^Nieprawidłowa nazwa obrazu „/);
          assert.ok(error.message.includes(`„${input.trim()}”`), error.message);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('withTag / withDigest / referenceOf', () => {
  it('switches between tag and digest addressing, keeping registry and repository', () => {
    const ref = parseReference('127.0.0.1:5055/s99656/app:multiarch');
    const pinned = withDigest(ref, D);
    assert.equal(pinned.canonical, `127.0.0.1:5055/s99656/app@${D}`);
    assert.equal(referenceOf(pinned), D);
    assert.equal(referenceOf(ref), 'multiarch');
    const cache = withTag(pinned, 'buildcache');
    assert.equal(cache.canonical, '127.0.0.1:5055/s99656/app:buildcache');
    assert.equal(cache.digest, undefined);
  });

  it('prefers the digest when a ref has both', () => {
    assert.equal(referenceOf(parseReference(`h.example:1/a/b:t@${D}`)), D);
  });
});
