/** Documentation pages the checks and reports cite (one list for the whole grader). */
import type { DocLink } from '../results/types.ts';

export const DOCS = {
  multiPlatform: { title: 'Docker Docs: Multi-platform builds', url: 'https://docs.docker.com/build/building/multi-platform/' },
  imagetools: {
    title: 'Docker Docs: docker buildx imagetools inspect',
    url: 'https://docs.docker.com/reference/cli/docker/buildx/imagetools/inspect/',
  },
  pushToRegistry: { title: 'Docker Docs: Exporters – push to registry', url: 'https://docs.docker.com/build/exporters/#push-to-registry' },
  dockerContainerDriver: {
    title: 'Docker Docs: Docker container driver',
    url: 'https://docs.docker.com/build/builders/drivers/docker-container/',
  },
  buildxBuild: { title: 'Docker Docs: docker buildx build', url: 'https://docs.docker.com/reference/cli/docker/buildx/build/' },
  dockerfile: { title: 'Docker Docs: Dockerfile reference', url: 'https://docs.docker.com/reference/dockerfile/' },
  registryCache: { title: 'Docker Docs: Registry cache', url: 'https://docs.docker.com/build/cache/backends/registry/' },
  cacheMode: { title: 'Docker Docs: Cache storage backends – cache mode', url: 'https://docs.docker.com/build/cache/backends/#cache-mode' },
  cacheSyntax: {
    title: 'Docker Docs: Cache storage backends – command syntax',
    url: 'https://docs.docker.com/build/cache/backends/#command-syntax',
  },
  cacheInvalidation: { title: 'Docker Docs: Build cache invalidation', url: 'https://docs.docker.com/build/cache/invalidation/' },
  // Registry deletion (verified against distribution/distribution docs/content).
  deleteApi: {
    title: 'Registry HTTP API V2: Deleting an Image',
    url: 'https://distribution.github.io/distribution/spec/api/#deleting-an-image',
  },
  garbageCollection: {
    title: 'Distribution: Garbage collection',
    url: 'https://distribution.github.io/distribution/about/garbage-collection/',
  },
  deleteConfig: {
    title: 'Distribution: konfiguracja, storage.delete',
    url: 'https://distribution.github.io/distribution/about/configuration/#delete',
  },
  maintenanceConfig: {
    title: 'Distribution: konfiguracja, storage.maintenance (readonly)',
    url: 'https://distribution.github.io/distribution/about/configuration/#maintenance',
  },
} as const satisfies Record<string, DocLink>;
