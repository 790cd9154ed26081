/**
 * Deleting a BuildKit cache from a real registry (Debian's docker-registry = registry:2's software)
 * in both forms: OCI image manifest (BuildKit >= 0.21) and OCI index (older). The example's
 * delete-cache.sh and the recipe shown to students must work for both.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deleteByDigestRecipe } from '../../grader/bonus/explain.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { run } from '../../grader/util/exec.ts';
import { pushSampleCache, pushSampleImageIndex, startRegistry, type RegistryServer } from '../helpers/registry-server.ts';

const FORMS = ['image-manifest', 'index'] as const;

describe('deleting a cache of either form', () => {
  let registry: RegistryServer;
  const client = new RegistryClient({ retries: 0 });

  before(async () => {
    registry = await startRegistry({ deleteEnabled: true });
  });
  after(async () => {
    await registry?.stop();
  });

  /** A repository holding the image and its cache, as after the lab's build. */
  async function publish(name: string, form: (typeof FORMS)[number]) {
    const repo = `${registry.host}/s99656/${name}`;
    const image = await pushSampleImageIndex(client, `${repo}:multiarch`, { seed: name });
    const cache = await pushSampleCache(client, `${repo}:buildcache`, { mode: 'max', seed: name, form });
    return { repo, image, cache };
  }

  for (const form of FORMS) {
    it(`${form}: the example's delete-cache.sh deletes the tag by digest and the image stays`, async () => {
      const { repo, image, cache } = await publish(`script-${form}`, form);
      const r = await run('sh', [resolve('submissions/example/delete-cache.sh')], {
        env: { REGISTRY_URL: registry.url, REPOSITORY: `s99656/script-${form}`, CACHE_TAG: 'buildcache' },
        timeoutMs: 30_000,
      });
      assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, new RegExp(`DELETE ${cache.digest} -> 202`));
      assert.match(r.stdout, /po usunięciu -> 404/);
      assert.deepEqual(await client.listTags(repo), ['multiarch']);
      assert.equal((await client.headManifest(`${repo}:multiarch`))?.digest, image.digest);
    });

    it(`${form}: the recipe shown to students deletes the tag (202, then 404)`, async () => {
      const { repo, cache } = await publish(`recipe-${form}`, form);
      // Without the last line: it runs garbage-collect in a registry7 container.
      const recipe = deleteByDigestRecipe({ registry: registry.host, repository: `s99656/recipe-${form}`, tag: 'buildcache' });
      const r = await run('sh', ['-c', recipe.split('\n').slice(0, 3).join('\n')], { timeoutMs: 30_000 });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /202 Accepted/);
      assert.equal(await client.headManifest(`${repo}:buildcache`), null);
      assert.equal(await client.getManifest(`${repo}@${cache.digest}`), null);
    });
  }

  it('why all four types: accepting only index types, registry:2 gives no digest for an image-manifest cache', async () => {
    const { repo } = await publish('index-accept-only', 'image-manifest');
    const url = `${registry.url}/v2/s99656/index-accept-only/manifests/buildcache`;
    const res = await fetch(url, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' },
    });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('docker-content-digest'), null);
    assert.notEqual(await client.headManifest(`${repo}:buildcache`), null, 'the tag is there all the same');
  });
});
