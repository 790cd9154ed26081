// Pure parsers and argv builders of grader/docker and registry7, on stdout captured from
// the real stack (Docker 26.1.5 + buildx 0.13.1, Debian trixie packages) unless noted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildArgv, parseBuildMetadata } from '../../grader/docker/build-runner.ts';
import { buildxPruneArgs } from '../../grader/docker/builders.ts';
import { buildkitdConfig, buildxCreateArgs, buildxRmArgs } from '../../grader/docker/container-isolation.ts';
import {
  builderPlatforms, compareVersions, engineFailure, parseBuildxInspect, parseBuildxLs, parseBuildxVersion,
  createContainerArgs, networkConnectArgs, networkCreateArgs, newRunId, assertRunId,
  parseContainerInspect, parseContainerLs, parseInfo, parseNamesLs, parsePort, parseVersion, parseWait, runContainerArgs,
} from '../../grader/docker/docker.ts';
import { InfraError } from '../../grader/errors.ts';
import { parseDuBytes } from '../../grader/registry/registry7.ts';
import type { ExecResult } from '../../grader/util/exec.ts';

const VERSION = '{"Client":{"Version":"28.2.2","ApiVersion":"1.45","DefaultAPIVersion":"1.50","GitCommit":"e6534b4","GoVersion":"go1.24.3","Os":"linux","Arch":"amd64","BuildTime":"Fri May 30 12:07:14 2025","Context":"default"},"Server":{"Platform":{"Name":""},"Components":[{"Name":"Engine","Version":"26.1.5+dfsg1","Details":{"ApiVersion":"1.45","Arch":"amd64","BuildTime":"Thu Aug 13 05:35:48 2026","Experimental":"false","GitCommit":"411e817","GoVersion":"go1.24.4","KernelVersion":"6.18.44-fc-v782","MinAPIVersion":"1.24","Os":"linux"}},{"Name":"containerd","Version":"1.7.24~ds1","Details":{"GitCommit":"1.7.24~ds1-6+deb13u1"}},{"Name":"runc","Version":"1.1.15+ds1","Details":{"GitCommit":"1.1.15+ds1-2+b4"}},{"Name":"docker-init","Version":"0.19.0","Details":{"GitCommit":""}}],"Version":"26.1.5+dfsg1","ApiVersion":"1.45","MinAPIVersion":"1.24","GitCommit":"411e817","GoVersion":"go1.24.4","Os":"linux","Arch":"amd64","KernelVersion":"6.18.44-fc-v782","BuildTime":"2026-08-13T05:35:48.000000000+00:00"}}';
// DOCKER_HOST pointing at no daemon: exit 1, this JSON on stdout.
const VERSION_DOWN = '{"Client":{"Version":"28.2.2","ApiVersion":"1.50","DefaultAPIVersion":"1.50","GitCommit":"e6534b4","GoVersion":"go1.24.3","Os":"linux","Arch":"amd64","BuildTime":"Fri May 30 12:07:14 2025","Context":"default"},"Server":null}';
// `docker info --format json`, trimmed to the fields read (the rest is 3 KB of plugins and runtimes).
const INFO = '{"ID":"e29f3e5c-9a6d-426f-b66d-b9819e55a862","Containers":1,"ContainersRunning":1,"Images":10,"Driver":"overlayfs","DriverStatus":[["driver-type","io.containerd.snapshotter.v1"]],"OSType":"linux","Architecture":"x86_64","NCPU":2,"MemTotal":25276063744,"Name":"vm","ServerVersion":"26.1.5+dfsg1"}';
const INFO_OVERLAY2 = '{"Driver":"overlay2","DriverStatus":[["Backing Filesystem","extfs"],["Supports d_type","true"],["Using metacopy","false"],["Native Overlay Diff","true"],["userxattr","false"]],"ServerVersion":"24.0.7"}';
const BUILDX_LS = '{"Name":"default","Driver":"docker","LastActivity":"2026-11-23T12:30:32Z","Dynamic":false,"Nodes":[{"Name":"default","Endpoint":"default","Status":"running","Version":"v0.0.0+unknown","IDs":["jpdjvdtlf7zad0dyh7gpl2jc2"],"Platforms":["linux/amd64","linux/amd64/v2","linux/amd64/v3","linux/arm64"],"Labels":{"org.mobyproject.buildkit.worker.executor":"containerd","org.mobyproject.buildkit.worker.network":"host","org.mobyproject.buildkit.worker.snapshotter":"overlayfs"}}]}\n';
const INSPECT_DEFAULT = `Name:          default
Driver:        docker
Last Activity: 2026-11-23 12:30:32 +0000 UTC

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.0.0+unknown
Platforms:        linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/arm64
Labels:
 org.mobyproject.buildkit.worker.containerd.namespace: moby
 org.mobyproject.buildkit.worker.executor:             containerd
 org.mobyproject.buildkit.worker.network:              host
 org.mobyproject.buildkit.worker.snapshotter:          overlayfs
`;
// docker-container builder, buildx 0.11: docker/actions-toolkit __tests__/.fixtures/inspect8.txt
const INSPECT_CONTAINER = `Name:          builder-52aa0611-faf0-42ac-a940-461e4e287d68
Driver:        docker-container
Last Activity: 2023-06-13 13:52:31 +0000 UTC

Nodes:
Name:           builder-52aa0611-faf0-42ac-a940-461e4e287d680
Endpoint:       unix:///var/run/docker.sock
Driver Options: image="moby/buildkit:buildx-stable-1" network="host"
Status:         running
Flags:          --debug --allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host
Buildkit:       v0.11.6
Platforms:      linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/amd64/v4, linux/arm64, linux/riscv64, linux/ppc64le, linux/s390x, linux/386, linux/mips64le, linux/mips64, linux/arm/v7, linux/arm/v6
Labels:
 org.mobyproject.buildkit.worker.executor:         oci
 org.mobyproject.buildkit.worker.network:          host
GC Policy rule#0:
 All:           false
 Filters:       type==source.local,type==exec.cachemount,type==source.git.checkout
 Keep Duration: 48h0m0s
`;
const CONTAINER_LS = '{"Command":"\\"/bin/registry serve…\\"","CreatedAt":"2026-11-23 12:17:41 +0000 UTC","ID":"d57ec91ec700","Image":"registry:2","Labels":"buildx-grader.role=base","LocalVolumes":"1","Mounts":"buildx-grader-…","Names":"buildx-grader-base","Networks":"bridge","Platform":null,"Ports":"127.0.0.1:5055-\\u003e5000/tcp","RunningFor":"13 minutes ago","Size":"0B","State":"running","Status":"Up 13 minutes"}\n';
const VOLUME_LS = '{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"com.docker.volume.anonymous=","Links":"N/A","Mountpoint":"/var/lib/docker/volumes/bc6acbcf1625e99955d78adf562257be5c266a9e55f877ce886280e19f6efe12/_data","Name":"bc6acbcf1625e99955d78adf562257be5c266a9e55f877ce886280e19f6efe12","Scope":"local","Size":"N/A","Status":"N/A"}\n{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"","Links":"N/A","Mountpoint":"/var/lib/docker/volumes/buildx-grader-base/_data","Name":"buildx-grader-base","Scope":"local","Size":"N/A","Status":"N/A"}\n';
const CONTAINER_INSPECT = '[{"Id":"d57ec91ec7005bb44862b8f70abefdf06c5878144a63ebb794c17291b89346bb","Created":"2026-11-23T12:17:41.173788407Z","Path":"/bin/registry","Args":["serve","/etc/docker/registry/config.yml"],"State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":1234,"ExitCode":0},"Name":"/buildx-grader-base","Config":{"Labels":{"buildx-grader.role":"base"}}}]';
const METADATA = `{
  "buildx.build.ref": "default/default/s83kjp4yjghlsdvjmnffcsbya",
  "containerimage.config.digest": "sha256:c14936358b8f96c574ef1764776ec8109c5873cdc3ece58aff2ae07c19a08473",
  "containerimage.descriptor": {
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "digest": "sha256:c14936358b8f96c574ef1764776ec8109c5873cdc3ece58aff2ae07c19a08473",
    "size": 1607
  },
  "containerimage.digest": "sha256:c14936358b8f96c574ef1764776ec8109c5873cdc3ece58aff2ae07c19a08473",
  "image.name": "127.0.0.1:32780/cap/app:1"
}`;

function execResult(partial: Partial<ExecResult>): ExecResult {
  return { command: 'docker', args: ['version'], exitCode: 1, stdout: '', stderr: '', timedOut: false, cancelled: false, durationMs: 5, ...partial };
}

describe('engine', () => {
  test('docker version: server, API, containerd', () => {
    assert.deepEqual(parseVersion(VERSION), {
      client: '28.2.2', server: '26.1.5+dfsg1', apiVersion: '1.45', containerd: '1.7.24~ds1', os: 'linux', arch: 'amd64',
    });
  });
  test('docker version with the daemon down: no server', () => {
    assert.equal(parseVersion(VERSION_DOWN).server, undefined);
  });
  test('docker info: containerd image store on and off', () => {
    assert.deepEqual(parseInfo(INFO), { serverVersion: '26.1.5+dfsg1', storageDriver: 'overlayfs', containerdStore: true, architecture: 'x86_64', cpus: 2 });
    assert.equal(parseInfo(INFO_OVERLAY2).containerdStore, false);
  });
  test('engine failures become Polish InfraErrors; ordinary non-zero exits do not', () => {
    const down = engineFailure(execResult({ stderr: 'Cannot connect to the Docker daemon at unix:///tmp/none.sock. Is the docker daemon running?' }));
    assert.ok(down instanceof InfraError);
    assert.match(down.message, /Silnik Dockera nie odpowiada/);
    assert.match(engineFailure(execResult({ exitCode: undefined, spawnError: 'spawn docker ENOENT' }))?.message ?? '', /Nie można uruchomić klienta Dockera/);
    assert.match(engineFailure(execResult({ exitCode: undefined, timedOut: true, durationMs: 30_000 }))?.message ?? '', /nie odpowiedział w wyznaczonym czasie \(docker version, 30 s\)/);
    assert.equal(engineFailure(execResult({ stderr: 'Error response from daemon: No such container: nosuchc' })), undefined);
    assert.equal(engineFailure(execResult({ stderr: 'Error: No such object: nosuch' })), undefined);
  });
});

describe('buildx', () => {
  test('buildx version: Debian and upstream spellings', () => {
    assert.equal(parseBuildxVersion('github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3').version, '0.13.1');
    assert.equal(parseBuildxVersion('github.com/docker/buildx v0.14.0 171fcbeb69d67c90ba7f44f41a9e418f6a6ec1da').version, '0.14.0');
    assert.throws(() => parseBuildxVersion('docker: \'buildx\' is not a docker command.'), InfraError);
    assert.ok(compareVersions('0.12.1', '0.13.0') < 0);
    assert.ok(compareVersions('0.13.1', '0.13.0') > 0);
    assert.equal(compareVersions('1.0', '1.0.0'), 0);
  });
  test('buildx ls --format json', () => {
    const [b, ...rest] = parseBuildxLs(BUILDX_LS);
    assert.equal(rest.length, 0);
    assert.equal(b?.name, 'default');
    assert.equal(b?.driver, 'docker');
    assert.deepEqual(b && builderPlatforms(b), ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/arm64']);
  });
  test('buildx inspect: docker driver (buildx 0.13) and docker-container (buildx 0.11)', () => {
    const d = parseBuildxInspect(INSPECT_DEFAULT);
    assert.deepEqual(d, {
      name: 'default', driver: 'docker',
      nodes: [{ name: 'default', endpoint: 'default', status: 'running', buildkit: 'v0.0.0+unknown', platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/arm64'] }],
    });
    const c = parseBuildxInspect(INSPECT_CONTAINER);
    assert.equal(c.driver, 'docker-container');
    assert.equal(c.nodes.length, 1);
    assert.equal(c.nodes[0]?.buildkit, 'v0.11.6');
    assert.equal(c.nodes[0]?.endpoint, 'unix:///var/run/docker.sock');
    assert.ok(builderPlatforms(c).includes('linux/arm64'));
    assert.equal(builderPlatforms(c).length, 13);
  });
  test('user-set platforms lose their * mark', () => {
    const b = parseBuildxInspect('Name: x\nDriver: docker-container\n\nNodes:\nName: x0\nPlatforms: linux/amd64*, linux/arm64*\n');
    assert.deepEqual(builderPlatforms(b), ['linux/amd64', 'linux/arm64']);
  });
});

describe('containers, volumes, ports', () => {
  test('container ls / inspect / volume ls', () => {
    assert.deepEqual(parseContainerLs(CONTAINER_LS), [
      { id: 'd57ec91ec700', name: 'buildx-grader-base', image: 'registry:2', state: 'running', labels: { 'buildx-grader.role': 'base' } },
    ]);
    assert.deepEqual(parseContainerInspect(CONTAINER_INSPECT), {
      name: 'buildx-grader-base', running: true, status: 'running', exitCode: 0, labels: { 'buildx-grader.role': 'base' },
    });
    assert.deepEqual(parseNamesLs(VOLUME_LS), ['bc6acbcf1625e99955d78adf562257be5c266a9e55f877ce886280e19f6efe12', 'buildx-grader-base']);
    assert.deepEqual(parseNamesLs(''), []);
  });
  test('docker port: IPv4 and IPv6 bindings', () => {
    assert.deepEqual(parsePort('127.0.0.1:32773'), { host: '127.0.0.1', port: 32773 });
    assert.deepEqual(parsePort('[::1]:32768\n'), { host: '::1', port: 32768 });
    assert.equal(parsePort(''), undefined);
  });
  test('du -sk of the registry storage', () => {
    assert.equal(parseDuBytes('5780\t/var/lib/registry'), 5780 * 1024);
    assert.throws(() => parseDuBytes('du: /x: No such file or directory'), InfraError);
  });
  test('docker run argv: loopback publish, labels, env, volume', () => {
    assert.deepEqual(runContainerArgs({
      name: 'buildx-grader-r7-x', image: 'registry:2', detach: true, labels: { 'buildx-grader.run': 'x' },
      env: { REGISTRY_STORAGE_DELETE_ENABLED: 'true' }, publish: ['127.0.0.1::5000'], volumes: ['v:/var/lib/registry'],
    }), [
      'run', '--detach', '--name', 'buildx-grader-r7-x', '--label', 'buildx-grader.run=x', '--env', 'REGISTRY_STORAGE_DELETE_ENABLED=true',
      '--publish', '127.0.0.1::5000', '--volume', 'v:/var/lib/registry', 'registry:2',
    ]);
  });
});

describe('containers, networks, run ids', () => {
  test('one-off run --rm without a name; --volumes-from; container create shares the spec flags', () => {
    assert.deepEqual(runContainerArgs({
      image: 'registry:2', detach: false, labels: { 'buildx-grader.run': 'x' }, network: 'none',
      volumesFrom: ['base:ro'], volumes: ['v:/copy'], entrypoint: '/bin/busybox', args: ['cp', '-a', '/var/lib/registry/.', '/copy/'],
    }), [
      'run', '--rm', '--label', 'buildx-grader.run=x', '--volume', 'v:/copy', '--volumes-from', 'base:ro', '--network', 'none',
      '--entrypoint', '/bin/busybox', 'registry:2', 'cp', '-a', '/var/lib/registry/.', '/copy/',
    ]);
    assert.deepEqual(createContainerArgs({ name: 'c', image: 'registry:2', network: 'n', publish: ['127.0.0.1:5001:5000'] }), [
      'container', 'create', '--name', 'c', '--publish', '127.0.0.1:5001:5000', '--network', 'n', 'registry:2',
    ]);
  });
  test('network create (internal, driver options) and connect with an alias', () => {
    assert.deepEqual(networkCreateArgs('n', { 'buildx-grader.run': 'x' }, { internal: true, driverOpts: { 'com.docker.network.bridge.inhibit_ipv4': 'true' } }), [
      'network', 'create', '--internal', '--opt', 'com.docker.network.bridge.inhibit_ipv4=true', '--label', 'buildx-grader.run=x', 'n',
    ]);
    assert.deepEqual(networkCreateArgs('n', {}), ['network', 'create', 'n']);
    assert.deepEqual(networkConnectArgs('n', 'c', ['registry7']), ['network', 'connect', '--alias', 'registry7', 'n', 'c']);
  });
  test('docker wait: the exit code on the last line', () => {
    assert.equal(parseWait('137\n'), 137);
    assert.equal(parseWait('0'), 0);
    assert.equal(parseWait(''), undefined);
    assert.equal(parseWait('Error response from daemon'), undefined);
  });
  test('run ids: optional prefix, always valid object names', () => {
    const plain = newRunId(undefined, new Date('2026-03-04T05:06:07Z'));
    assert.match(plain, /^260304050607-[a-z0-9]{1,6}$/);
    assert.match(newRunId('sandbox'), /^sandbox-\d{12}-[a-z0-9]{1,6}$/);
    for (const id of [plain, newRunId('test-flow'), `${newRunId('test-flow')}-12`]) assert.doesNotThrow(() => assertRunId(id));
    assert.throws(() => assertRunId(''), InfraError);
  });
});

describe('builders and builds', () => {
  test('buildkitd.toml marks each registry plain-HTTP and insecure', () => {
    assert.equal(buildkitdConfig(['127.0.0.1:32768', '127.0.0.1:5055', '127.0.0.1:32768']),
      '[registry."127.0.0.1:32768"]\n  http = true\n  insecure = true\n\n[registry."127.0.0.1:5055"]\n  http = true\n  insecure = true\n');
  });
  test('buildx create / rm / prune argv: the run network, never the host network; --config before buildx 0.13', () => {
    const image = 'moby/buildkit:buildx-stable-1';
    const args = buildxCreateArgs({ name: 'buildx-grader-r-1', configPath: '/tmp/b.toml', image, network: 'buildx-grader-net-r-1', buildxVersion: '0.29.1' });
    assert.deepEqual(args, [
      'buildx', 'create', '--name', 'buildx-grader-r-1', '--driver', 'docker-container', '--driver-opt', 'network=buildx-grader-net-r-1',
      '--driver-opt', 'image=moby/buildkit:buildx-stable-1', '--buildkitd-config', '/tmp/b.toml', '--bootstrap',
    ]);
    assert.ok(!args.includes('network=host'));
    assert.ok(buildxCreateArgs({ name: 'n', configPath: 'c', image, network: 'x', buildxVersion: '0.12.1' }).includes('--config'));
    assert.deepEqual(buildxRmArgs('n'), ['buildx', 'rm', '--force', 'n']);
    assert.deepEqual(buildxPruneArgs('default'), ['buildx', 'prune', '--builder', 'default', '--all', '--force']);
  });
  test('the lab command shape', () => {
    assert.deepEqual(buildArgv({
      builder: 'default', contextDir: '/s/app', dockerfile: '/s/app/Dockerfile_multi', buildArgs: { VERSION: '1.0', A: 'b c' },
      imageRef: '127.0.0.1:32768/s1/app:multiarch', cacheRef: '127.0.0.1:32768/s1/app:buildcache', metadataPath: '/o/m.json',
    }), [
      'buildx', 'build', '--builder', 'default', '--progress=rawjson', '--platform', 'linux/amd64,linux/arm64', '-f', '/s/app/Dockerfile_multi',
      '--build-arg', 'A=b c', '--build-arg', 'VERSION=1.0', '-t', '127.0.0.1:32768/s1/app:multiarch', '--push',
      '--cache-to', 'type=registry,ref=127.0.0.1:32768/s1/app:buildcache,mode=max',
      '--cache-from', 'type=registry,ref=127.0.0.1:32768/s1/app:buildcache', '--metadata-file', '/o/m.json', '/s/app',
    ]);
  });
  test('--metadata-file', () => {
    assert.deepEqual(parseBuildMetadata(METADATA), {
      imageDigest: 'sha256:c14936358b8f96c574ef1764776ec8109c5873cdc3ece58aff2ae07c19a08473',
      buildRef: 'default/default/s83kjp4yjghlsdvjmnffcsbya',
    });
    assert.deepEqual(parseBuildMetadata('{}'), { imageDigest: undefined, buildRef: undefined });
  });
});
