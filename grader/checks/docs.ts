/** Docker documentation pages the checks cite in their hints. */
import type { DocLink } from '../results/types.ts';

export const DOCS = {
  multiPlatform: { title: 'Docker: Multi-platform builds', url: 'https://docs.docker.com/build/building/multi-platform/' },
  imagetools: { title: 'docker buildx imagetools inspect', url: 'https://docs.docker.com/reference/cli/docker/buildx/imagetools/inspect/' },
  registryCache: { title: 'Docker: Registry cache', url: 'https://docs.docker.com/build/cache/backends/registry/' },
  cacheMode: { title: 'Docker: Cache storage backends, cache mode', url: 'https://docs.docker.com/build/cache/backends/#cache-mode' },
  buildxBuild: { title: 'docker buildx build', url: 'https://docs.docker.com/reference/cli/docker/buildx/build/' },
  containerdStore: { title: 'Docker: containerd image store', url: 'https://docs.docker.com/engine/storage/containerd/' },
  dockerfile: { title: 'Dockerfile reference', url: 'https://docs.docker.com/reference/dockerfile/' },
} satisfies Record<string, DocLink>;
