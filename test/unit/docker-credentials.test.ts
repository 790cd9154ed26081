/** The pure parts of finding registry credentials the docker way: which source serves a host, and the helper protocol's answer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  credentialKeyFor,
  credentialSourceFor,
  isValidHelperName,
  parseHelperOutput,
  type DockerConfigFile,
} from '../../grader/registry/docker-credentials.ts';
import { DOCKER_HUB_API } from '../../grader/registry/reference.ts';
import { redact } from '../../grader/util/redact.ts';

describe('credentialKeyFor', () => {
  it('asks about Docker Hub under its legacy v1 URL, as docker login stores it', () => {
    assert.equal(credentialKeyFor(DOCKER_HUB_API), 'https://index.docker.io/v1/');
  });
  it('asks about any other registry under the host as written in the image ref', () => {
    for (const host of ['127.0.0.1:5055', 'ghcr.io', 'registry7.example.edu:5000', '[::1]:5000']) assert.equal(credentialKeyFor(host), host);
  });
});

describe('credentialSourceFor (docker getConfiguredCredentialStore)', () => {
  const host = '127.0.0.1:5055';
  const cases: [string, DockerConfigFile, ReturnType<typeof credentialSourceFor>][] = [
    ['no helper at all: auths', { auths: { [host]: { auth: 'eDp5' } } }, { kind: 'auths' }],
    ['empty config: auths', {}, { kind: 'auths' }],
    ['credsStore (Docker Desktop)', { credsStore: 'desktop', auths: { 'https://index.docker.io/v1/': {} } }, { kind: 'helper', helper: 'desktop', key: 'credsStore' }],
    [
      'credHelpers[host] wins over credsStore',
      { credsStore: 'desktop', credHelpers: { [host]: 'pass' } },
      { kind: 'helper', helper: 'pass', key: `credHelpers["${host}"]` },
    ],
    ['credHelpers for another host: credsStore', { credsStore: 'osxkeychain', credHelpers: { 'ghcr.io': 'pass' } }, { kind: 'helper', helper: 'osxkeychain', key: 'credsStore' }],
    ['credHelpers for another host, no credsStore: auths', { credHelpers: { 'ghcr.io': 'pass' } }, { kind: 'auths' }],
    // docker returns the empty value as "the helper", and an empty helper means the file store.
    ['credHelpers[host] empty: auths, not credsStore', { credsStore: 'desktop', credHelpers: { [host]: '' } }, { kind: 'auths' }],
    ['credHelpers keys match exactly, no scheme stripping', { credHelpers: { [`https://${host}`]: 'pass' } }, { kind: 'auths' }],
    ['empty credsStore: auths', { credsStore: '' }, { kind: 'auths' }],
  ];
  for (const [name, config, want] of cases) {
    it(name, () => assert.deepEqual(credentialSourceFor(config, host), want));
  }

  it('finds Docker Hub helpers under the v1 URL key', () => {
    const config = { credHelpers: { 'https://index.docker.io/v1/': 'secretservice' } };
    assert.deepEqual(credentialSourceFor(config, credentialKeyFor(DOCKER_HUB_API)), {
      kind: 'helper',
      helper: 'secretservice',
      key: 'credHelpers["https://index.docker.io/v1/"]',
    });
  });

  it('does not take a helper from an inherited object key', () => {
    assert.deepEqual(credentialSourceFor({ credHelpers: {} }, 'constructor'), { kind: 'auths' });
  });
});

describe('isValidHelperName', () => {
  it('accepts the helpers docker ships and their like', () => {
    for (const name of ['desktop', 'osxkeychain', 'wincred', 'pass', 'secretservice', 'ecr-login', 'gcloud', 'acr-env', 'my_helper.v2']) {
      assert.ok(isValidHelperName(name), name);
    }
  });
  it('rejects paths, traversal, options and odd characters', () => {
    for (const name of ['../evil', '..', 'x/y', '/usr/bin/x', '.hidden', '-rf', 'a b', 'a;rm', '$(id)', 'pass\n', '', 'ąę']) {
      assert.ok(!isValidHelperName(name), JSON.stringify(name));
    }
  });
});

describe('parseHelperOutput (the protocol `get` answer)', () => {
  it('Username + Secret: Basic credentials', () => {
    assert.deepEqual(parseHelperOutput('{"ServerURL":"127.0.0.1:5055","Username":"u","Secret":"p4ss"}\n'), { username: 'u', password: 'p4ss' });
  });
  it('Username <token>: the Secret is an identity token', () => {
    assert.deepEqual(parseHelperOutput('{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"id-tok"}'), { identityToken: 'id-tok' });
  });
  it('empty fields (Debian docker-credential-pass 0.6.4 for an unknown host): no credentials', () => {
    assert.equal(parseHelperOutput('{"ServerURL":"127.0.0.1:5056","Username":"","Secret":""}'), null);
    assert.equal(parseHelperOutput('{"ServerURL":"x","Username":"u","Secret":""}'), null);
    assert.equal(parseHelperOutput('{"ServerURL":"x","Username":"","Secret":"s3cret"}'), null);
    assert.equal(parseHelperOutput('{"ServerURL":"x","Username":"<token>","Secret":""}'), null);
  });
  it('not the protocol JSON: undefined', () => {
    for (const out of ['', 'credentials not found in native keychain', '[]', 'null', '"x"', '{"Username":1,"Secret":"s"}']) {
      assert.equal(parseHelperOutput(out), undefined, out);
    }
  });
});

describe('redact', () => {
  it('hides a helper answer\'s Secret even when it was never registered', () => {
    assert.equal(redact('{"ServerURL":"h","Username":"u","Secret":"unregistered-42"}'), '{"ServerURL":"h","Username":"u","Secret":"***"}');
  });
});
