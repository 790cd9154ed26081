/** Documentation links the bonus report cites (verified against distribution/distribution docs/content). */
import type { DocLink } from '../results/types.ts';

export const DOCS = {
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
