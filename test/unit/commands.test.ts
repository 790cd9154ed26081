import assert from 'node:assert/strict';
import { assertLinear } from './fuzz-support.ts';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { describeProblem, extractMarkdownCommands, parseCommandList, parseShellText, type ParsedCommand } from '../../grader/commands/index.ts';

const FIXTURES = new URL('../fixtures/commands/', import.meta.url);
const script = (text: string) => parseShellText(text, { file: 'build.sh', style: 'script' });
const consoleText = (text: string) => parseShellText(text, { file: 'report.md', style: 'console' });
const codes = (c: ParsedCommand) => c.problems.map((p) => p.code);
/** The only command of the text. */
function one(commands: ParsedCommand[]): ParsedCommand {
  assert.equal(commands.length, 1, JSON.stringify(commands.map((c) => c.argv)));
  return commands[0]!;
}

describe('shell text: words and quotes', () => {
  it('removes single, double and backslash quoting', () => {
    const c = one(script(`docker buildx build -t 'my image' --build-arg "MSG=a \\"b\\" c" --label x\\ y .`));
    assert.deepEqual(c.argv, ['docker', 'buildx', 'build', '-t', 'my image', '--build-arg', 'MSG=a "b" c', '--label', 'x y', '.']);
  });

  it('splits on &&, ;, | and keeps every command with its line', () => {
    const cs = script('docker buildx use b1 && docker buildx build . ; docker images | grep x\n\necho done');
    assert.deepEqual(cs.map((c) => [c.argv[0], c.argv[1], c.source.line]), [['docker', 'buildx', 1], ['docker', 'buildx', 1], ['docker', 'images', 1], ['grep', 'x', 1], ['echo', 'done', 3]]);
    assert.deepEqual(cs.map((c) => c.kind), ['buildx-use', 'buildx-build', 'other', 'other', 'other']);
  });

  it('drops comments, but not a # inside a word (a git context fragment)', () => {
    const cs = script('# build it\ndocker buildx build https://github.com/u/app.git#main:src # trailing\n  # indented comment');
    const c = one(cs);
    assert.equal(c.source.line, 2);
    assert.deepEqual(c.build?.context, { text: 'https://github.com/u/app.git#main:src', kind: 'git' });
  });

  it('takes env prefixes and sudo off argv', () => {
    const c = one(script('sudo -E DOCKER_BUILDKIT=1 docker buildx build .'));
    // sudo comes first here, so the assignment is sudo's argument: still an env prefix of the command.
    assert.equal(c.sudo, true);
    assert.deepEqual(c.env, { DOCKER_BUILDKIT: '1' });
    assert.deepEqual(c.argv, ['docker', 'buildx', 'build', '.']);
    assert.equal(c.kind, 'buildx-build');
  });

  it('keeps variables as written and notes them; a single-quoted $ is literal', () => {
    const c = one(script(`docker buildx build -t "$IMAGE:\${TAG}" --build-arg 'X=$HOME' .`));
    assert.deepEqual(c.build?.tags, ['$IMAGE:$TAG']);
    assert.deepEqual(c.build?.buildArgs, [{ name: 'X', value: '$HOME' }]);
    assert.deepEqual(c.problems, [{ code: 'unexpanded-variable', text: '$IMAGE' }, { code: 'unexpanded-variable', text: '$TAG' }]);
  });

  it('keeps $(...) opaque in its word and parses the commands inside it', () => {
    const cs = script(`curl -X DELETE "http://127.0.0.1:5000/v2/x/manifests/$(curl -sI -H 'Accept: a' http://h/v2/x/manifests/c | grep -i digest | awk '{print $2}')"`);
    assert.deepEqual(cs.map((c) => c.argv[0]), ['curl', 'curl', 'grep', 'awk']);
    assert.equal(cs[0]!.argv.at(-1), `http://127.0.0.1:5000/v2/x/manifests/$(curl -sI -H 'Accept: a' http://h/v2/x/manifests/c | grep -i digest | awk '{print $2}')`);
    assert.deepEqual(codes(cs[0]!), ['command-substitution']);
    assert.deepEqual(cs[3]!.argv, ['awk', '{print $2}']);
  });

  it('removes redirections with their targets', () => {
    const c = one(script('docker buildx build . 2>&1 >build.log'));
    assert.deepEqual(c.argv, ['docker', 'buildx', 'build', '.']);
  });

  it('reports an unterminated quote instead of throwing', () => {
    const c = one(script(`docker buildx build -t "oops .`));
    assert.deepEqual(c.problems, [{ code: 'unterminated-quote', text: '"oops .' }]);
  });

  it('keeps a ${ it cannot read as written, with a note, instead of throwing', () => {
    const c = one(script('docker buildx build -t ${IMAGE:latest "${X:-a b}" ${} .'));
    assert.deepEqual(c.argv, ['docker', 'buildx', 'build', '-t', '${IMAGE:latest', '${X:-a b}', '${}', '.']);
    assert.deepEqual(c.problems.filter((p) => p.code === 'bad-variable').map((p) => p.text), ['${IMAGE:latest', '${X:-a b}', '${}']);
    // An unterminated quote: shell-quote reads the rest unquoted, where prepare() saw it quoted.
    assert.deepEqual(one(script(`echo '\${ $X`)).problems, [{ code: 'unterminated-quote', text: `'\${ $X` }, { code: 'bad-variable', text: '${' }, { code: 'unexpanded-variable', text: '$X' }]);
  });

  it('reads ${#X}, $$ and a lone $ as a shell does', () => {
    const c = one(script('echo ${#X} $${X} a$ $'));
    assert.deepEqual(c.argv, ['echo', '${#X}', '$${X}', 'a$', '$']);
    assert.deepEqual(c.problems, [{ code: 'unexpanded-variable', text: '${#X}' }, { code: 'unexpanded-variable', text: '$$' }]);
  });

  it('parses the commands of nested substitutions only a few levels deep', () => {
    const cs = script(`echo ${'$(echo '.repeat(10)}x${')'.repeat(10)}`);
    assert.deepEqual(cs.map((c) => c.argv[0]), ['echo', 'echo', 'echo', 'echo', 'echo']);
    assert.deepEqual(codes(cs.at(-1)!), ['command-substitution']);
  });

  it('scans a quote open over many lines once', () => {
    const c = one(script(`echo '${'a\n'.repeat(100_000)}'`));
    assert.equal(c.argv[1]!.length, 200_000);
    assertLinear((n) => one(script(`echo '${'a\n'.repeat(n)}'`)), 25_000);
  });

  it('joins a quoted value that spans lines', () => {
    const cs = script(`echo "a\nb" && docker buildx use x`);
    assert.deepEqual(cs.map((c) => c.argv), [['echo', 'a\nb'], ['docker', 'buildx', 'use', 'x']]);
  });
});

describe('shell text: continuations', () => {
  const expected = ['docker', 'buildx', 'build', '--platform', 'linux/amd64', '--push', '.'];

  it('POSIX \\ + newline, LF and CRLF', () => {
    for (const text of ['docker buildx build \\\n  --platform linux/amd64 \\\n  --push .', 'docker buildx build \\\r\n  --platform linux/amd64 \\\r\n  --push .\r\n']) {
      const c = one(script(text));
      assert.deepEqual(c.argv, expected);
      assert.deepEqual(c.problems, []);
    }
  });

  it('\\ followed by spaces: read as a continuation, with a note (a shell would end the command)', () => {
    const c = one(script('docker buildx build \\  \n  --platform linux/amd64 --push .'));
    assert.deepEqual(c.argv, expected);
    assert.deepEqual(codes(c), ['continuation-trailing-space']);
  });

  it('\\\\ + newline from a Markdown export', () => {
    const c = one(consoleText('docker buildx build \\\\\n--platform linux/amd64 \\\\\n--push .'));
    assert.deepEqual(c.argv, expected);
    assert.deepEqual(codes(c), ['escaped-continuation', 'escaped-continuation']);
  });

  it('PowerShell backtick and cmd caret', () => {
    const ps = one(consoleText('PS C:\\Users\\jan\\lab7> docker buildx build `\n  --platform linux/amd64 `\n  --push -f C:\\lab\\Dockerfile .'));
    assert.deepEqual(ps.argv, ['docker', 'buildx', 'build', '--platform', 'linux/amd64', '--push', '-f', 'C:\\lab\\Dockerfile', '.']);
    const cmd = one(consoleText('C:\\lab7>docker buildx build ^\n  --platform linux/amd64 ^\n  --push .'));
    assert.deepEqual(cmd.argv, expected);
  });

  it('a closed backtick substitution at the end of a line is not a continuation', () => {
    const cs = script('echo `date`\ndocker buildx use b');
    assert.deepEqual(cs.map((c) => c.argv[0]), ['echo', 'date', 'docker']);
  });

  it('a comment ending in \\ does not swallow the next line', () => {
    const cs = script('# old: docker build \\\ndocker buildx use b');
    assert.equal(one(cs).kind, 'buildx-use');
  });
});

describe('console text: prompts', () => {
  it('removes $, >, PS, user@host and [user@host] prompts', () => {
    const lines = ['$ docker buildx use a', '> docker buildx use a', 'PS> docker buildx use a', 'student@lab:~/x$ docker buildx use a', 'root@lab:/srv# docker buildx use a', '[jan@fedora lab7]$ docker buildx use a', '(venv) jan@host:~$ docker buildx use a'];
    for (const text of lines) assert.deepEqual(one(consoleText(text)).argv, ['docker', 'buildx', 'use', 'a'], text);
  });

  it('a bare "# " line is a comment, not a root prompt (see lines.ts)', () => {
    assert.deepEqual(consoleText('# docker buildx use a'), []);
  });

  it('bash PS2 "> " on continued lines', () => {
    const c = one(consoleText('$ docker buildx build \\\n> --push .'));
    assert.deepEqual(c.argv, ['docker', 'buildx', 'build', '--push', '.']);
  });

  it('a script keeps "$ " as a word: a shell would run a command named $', () => {
    assert.equal(one(script('$ docker buildx use a')).kind, 'other');
  });
});

describe('docker buildx build model', () => {
  it('models the lab command with every value form', () => {
    const c = one(script([
      'docker buildx build --builder=lab -t r/x:1 --tag r/x:latest -f docker/Dockerfile --target final',
      ' --platform linux/amd64,linux/arm64 --platform=linux/arm/v7 --build-arg V=1 --build-arg TOKEN',
      ' --cache-to "type=registry,ref=r/x:cache,mode=max" --cache-from r/x:cache --push --no-cache --pull -q app',
    ].join(' \\\n')));
    const b = c.build!;
    assert.equal(c.kind, 'buildx-build');
    assert.equal(b.invokedAs, 'docker buildx build');
    assert.equal(b.builder, 'lab');
    assert.deepEqual(b.tags, ['r/x:1', 'r/x:latest']);
    assert.equal(b.file, 'docker/Dockerfile');
    assert.equal(b.target, 'final');
    assert.deepEqual(b.platforms, ['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    assert.deepEqual(b.buildArgs, [{ name: 'V', value: '1' }, { name: 'TOKEN' }]);
    assert.deepEqual(b.cacheTo, [{ text: 'type=registry,ref=r/x:cache,mode=max', type: 'registry', attrs: { ref: 'r/x:cache', mode: 'max' }, shorthand: false }]);
    assert.deepEqual(b.cacheFrom, [{ text: 'r/x:cache', type: 'registry', attrs: { ref: 'r/x:cache' }, shorthand: true }]);
    assert.deepEqual(b.outputs, [{ text: '--push', type: 'registry', attrs: {}, shorthand: true, via: 'push' }]);
    assert.equal(b.pushes, true);
    assert.deepEqual([b.noCache, b.pull, b.quiet], [true, true, true]);
    assert.deepEqual(b.context, { text: 'app', kind: 'path' });
    assert.deepEqual(b.dropped, []);
    assert.deepEqual(c.problems, []);
  });

  it('value-less flags do not eat the context; value flags (also hidden ones) do eat their value', () => {
    const b = one(script('docker buildx build --no-cache --pull --load .')).build!;
    assert.deepEqual(b.context, { text: '.', kind: 'path' });
    assert.deepEqual(b.outputs.map((o) => [o.type, o.via]), [['docker', 'load']]);
    assert.equal(b.pushes, false);
    const hidden = one(script('docker buildx build --memory 2g -m 1g --progress plain --label a=b --ssh default .'));
    assert.deepEqual(hidden.build!.context, { text: '.', kind: 'path' });
    assert.deepEqual(hidden.build!.dropped, [
      { flag: 'memory', text: '--memory 2g' }, { flag: 'memory', text: '-m 1g' }, { flag: 'progress', text: '--progress plain' },
      { flag: 'label', text: '--label a=b' }, { flag: 'ssh', text: '--ssh default' },
    ]);
  });

  it('short flag forms: -tX, -t=X, grouped bools -qD', () => {
    const b = one(script('docker buildx build -tr/x:1 -t=r/x:2 -qD -fDf .')).build!;
    assert.deepEqual(b.tags, ['r/x:1', 'r/x:2']);
    assert.equal(b.quiet, true);
    assert.equal(b.file, 'Df');
    assert.deepEqual(b.dropped, [{ flag: 'debug', text: '-D' }]);
  });

  it('--output CSV with a quoted field, and its shorthands', () => {
    const b = one(script(`docker buildx build -o 'type=image,"name=r/x:1,r/x:2",push=true' --output out -o - .`)).build!;
    assert.deepEqual(b.outputs, [
      { text: 'type=image,"name=r/x:1,r/x:2",push=true', type: 'image', attrs: { name: 'r/x:1,r/x:2', push: 'true' }, shorthand: false, via: 'output' },
      { text: 'out', type: 'local', attrs: { dest: 'out' }, shorthand: true, via: 'output' },
      { text: '-', type: 'tar', attrs: { dest: '-' }, shorthand: true, via: 'output' },
    ]);
    assert.equal(b.pushes, true, 'type=image,push=true pushes');
  });

  it('every alias is a build; DOCKER_BUILDKIT=0 with docker build is the classic builder', () => {
    const forms = ['docker build .', 'docker buildx b .', 'docker builder build .', 'docker image build .', 'docker --context remote buildx --builder lab build .'];
    assert.deepEqual(forms.map((f) => one(script(f)).build?.invokedAs), ['docker build', 'docker buildx b', 'docker builder build', 'docker image build', 'docker buildx build']);
    assert.equal(one(script('docker --context remote buildx --builder lab build .')).build?.builder, 'lab');
    assert.deepEqual(codes(one(script('DOCKER_BUILDKIT=0 docker build .'))), ['legacy-builder']);
    assert.equal(one(script('docker buildx imagetools inspect r/x')).kind, 'other');
  });

  it('context kinds: stdin, git, url, path', () => {
    const kinds = ['-', 'git@github.com:u/r.git', 'https://github.com/u/r.git', 'https://example.com/ctx.tar.gz', './app'].map((ctx) => one(script(`docker buildx build ${ctx}`)).build?.context?.kind);
    assert.deepEqual(kinds, ['stdin', 'git', 'git', 'url', 'path']);
  });

  it('malformed values become typed problems', () => {
    const c = one(script([
      'docker buildx build --platform linux/amd64, --platform windows --cache-to type=registry,mode=max',
      '--cache-to "type=registry,ref=r/x:c,mode=maximum" --cache-from ref=r/x:c --cache-to type=nfs,ref=x',
      `--output 'type=registry,"ref=x' --push=maybe --bogus --target`,
    ].join(' ')));
    assert.deepEqual(c.problems, [
      { code: 'unknown-flag', text: '--bogus' },
      { code: 'missing-value', text: '--target' },
      { code: 'bad-platform', text: 'linux/amd64,' },
      { code: 'bad-platform', text: 'windows' },
      { code: 'missing-ref', text: 'type=registry,mode=max' },
      { code: 'bad-cache-mode', text: 'type=registry,ref=r/x:c,mode=maximum' },
      { code: 'missing-type', text: 'ref=r/x:c' },
      { code: 'unknown-type', text: 'type=nfs,ref=x' },
      { code: 'bad-csv', text: 'type=registry,"ref=x' },
      { code: 'bad-bool', text: '--push=maybe' },
      { code: 'missing-context', text: 'docker buildx build' },
    ]);
    for (const p of c.problems) assert.match(describeProblem(p), /\S/);
  });

  it('more than one context is an extra argument', () => {
    assert.deepEqual(one(script('docker buildx build . extra')).problems, [{ code: 'extra-argument', text: 'extra' }]);
  });
});

describe('docker buildx create / use', () => {
  it('models a docker-container builder', () => {
    const c = one(script('docker buildx create --driver docker-container --name lab --use --bootstrap --driver-opt network=host,image=127.0.0.1:5055/moby/buildkit:x --config buildkitd.toml --platform linux/amd64,linux/arm64'));
    assert.equal(c.kind, 'buildx-create');
    assert.deepEqual(c.create, {
      driver: 'docker-container', name: 'lab', use: true, bootstrap: true, append: false, leave: false,
      driverOpts: { network: 'host', image: '127.0.0.1:5055/moby/buildkit:x' }, buildkitdConfig: 'buildkitd.toml',
      platforms: ['linux/amd64', 'linux/arm64'], dropped: [],
    });
  });

  it('docker buildx use NAME, and use without a name', () => {
    assert.deepEqual(one(script('docker buildx use --default lab')).use, { name: 'lab', default: true, global: false });
    assert.deepEqual(codes(one(script('docker buildx use'))), ['missing-name']);
  });
});

describe('Markdown reports', () => {
  it('finds the commands of a real student report (outside fences, continuations, a typographic dash)', async () => {
    const text = await readFile(new URL('sprawozdanie-fragment.md', FIXTURES), 'utf8');
    const cs = extractMarkdownCommands(text, 'sprawozdanie.md');
    assert.deepEqual(cs.map((c) => [c.source.line, c.kind]), [[3, 'buildx-create'], [9, 'buildx-build'], [17, 'other'], [25, 'buildx-build']]);
    const create = cs[0]!;
    assert.equal(create.create?.driver, 'docker-container');
    // `–use` (en dash) is what a shell would pass: an endpoint, not --use.
    assert.equal(create.create?.use, false);
    assert.equal(create.create?.endpoint, '–use');
    assert.deepEqual(create.problems, [{ code: 'typographic-dash', text: '–use', suggestion: '--use' }]);
    const cached = cs[3]!.build!;
    assert.deepEqual(cached.cacheTo.map((e) => [e.type, e.attrs.ref, e.attrs.mode]), [['registry', 's99656/apkapogodowaplus:buildcache', 'max']]);
    assert.deepEqual(cached.platforms, ['linux/amd64', 'linux/arm64']);
    assert.equal(cached.builder, 'multiarch-builder');
  });

  it('reads the lab instructions\' block: two-line prompt, literal \\\\\\n line breaks', async () => {
    const text = await readFile(new URL('instrukcja-fragment.md', FIXTURES), 'utf8');
    const c = one(extractMarkdownCommands(text, 'instrukcja.md'));
    assert.equal(c.source.line, 7);
    assert.deepEqual(c.build?.cacheTo.map((e) => e.text), ['type=registry,ref=docker.io/spg51/cachedata1,mode=max']);
    assert.deepEqual(c.build?.cacheFrom.map((e) => e.attrs.ref), ['docker.io/spg51/cachedata1']);
    assert.deepEqual(c.build?.context, { text: '.', kind: 'path' });
    assert.deepEqual(codes(c), ['literal-newline-escape', 'literal-newline-escape']);
  });

  it('skips non-shell fences, keeps unlabelled ones, finds inline code and curl', () => {
    const md = [
      '```dockerfile', 'RUN docker build .', '```', // 1-3
      'Tekst `docker buildx use lab` w akapicie.', // 4
      '~~~', 'docker buildx build .', '~~~', // 5-7
      '    curl -X DELETE http://127.0.0.1:5000/v2/x/manifests/sha256:ab', // 8
      'Zwykły tekst o docker build.', // 9
    ].join('\n');
    const cs = extractMarkdownCommands(md, 'r.md');
    assert.deepEqual(cs.map((c) => [c.source.line, c.argv[0], c.kind]), [[4, 'docker', 'buildx-use'], [6, 'docker', 'buildx-build'], [8, 'curl', 'other']]);
  });
});

describe('inline command lists', () => {
  it('names the item and the line inside it', () => {
    const cs = parseCommandList(['docker buildx create --use --name b', '$ docker buildx build \\\n  --push .'], 'submission.json');
    assert.deepEqual(cs.map((c) => [c.source, c.kind]), [
      [{ file: 'submission.json', line: 1, item: 0 }, 'buildx-create'],
      [{ file: 'submission.json', line: 1, item: 1 }, 'buildx-build'],
    ]);
  });
});
