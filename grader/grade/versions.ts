/** Versions of the tools a grade depended on, recorded in results.json and the report. */
import type { DockerCli } from '../docker/docker.ts';
import { toolVersion } from '../version.ts';

export async function collectVersions(docker: DockerCli): Promise<Record<string, string>> {
  const versions: Record<string, string> = { 'buildx-grader': toolVersion() };
  const [engine, buildx] = await Promise.allSettled([docker.version(), docker.buildxVersion()]);
  if (engine.status === 'fulfilled') {
    versions['docker (klient)'] = engine.value.client;
    if (engine.value.server) versions['docker (silnik)'] = engine.value.server;
  }
  if (buildx.status === 'fulfilled') versions.buildx = buildx.value.version;
  versions.registry = 'registry:2 (distribution)';
  return versions;
}
