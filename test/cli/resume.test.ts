import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliSpawn, ROOT } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, metricLines, sleep, waitFor, TINY } from '../helpers/tiny-runs.js';

test('kill -9 in the middle of a stage; resume runs only the unfinished work', async () => {
  const { runs, env } = tinyEnv({ TINY_EPOCH_MS: '400' });
  // Three cells; each tiny-train takes 8 epochs x 400 ms. Kill while the second cell trains.
  const child = cliSpawn(['run', TINY, 'render.noise=0,0.25,0.5', 'train.epochs=8'], { env });
  await waitFor(() => {
    const [sweep] = sweepsIn(runs, 'tiny');
    const second = sweep?.cells[1];
    return second?.stages['tiny-train']?.status === 'running';
  }, 60_000);
  await sleep(600);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));

  const [killed] = sweepsIn(runs, 'tiny');
  assert.equal(killed!.cells.map((c) => c.status), ['finished', 'running', 'pending']);
  const temporaries = readdirSync(join(runs, '.cache', 'tiny-train')).filter((n) => n.startsWith('.tmp'));
  assert.is(temporaries.length, 1, 'the killed stage left its temporary folder');
  const entries = () => readdirSync(join(runs, '.cache', 'tiny-train')).filter((n) => !n.startsWith('.'));
  assert.is(entries().length, 1, 'only the finished cell has a cache entry: the half one is not trusted');

  const r = cli(['resume', killed!.id], { env: { ...env, TINY_EPOCH_MS: '0' } });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stderr.includes('2 of 3 cell(s) to finish: c01, c02'), r.stderr);
  const [resumed] = sweepsIn(runs, 'tiny');
  assert.is(resumed!.status, 'finished');
  const [c0, c1, c2] = resumed!.cells;
  assert.equal(c0!.stages['tiny-train']!.cached, false, 'finished cell untouched by resume');
  assert.equal(c1!.stages['tiny-data']!.cached, true, 'stage finished before the kill comes from the cache');
  assert.equal(c1!.stages['tiny-render']!.cached, true);
  assert.equal(c1!.stages['tiny-train']!.cached, false, 'the killed stage runs again');
  assert.equal(c2!.stages['tiny-render']!.cached, false);
  assert.is(entries().length, 3);
  assert.equal(readdirSync(join(runs, '.cache', 'tiny-train')).filter((n) => n.startsWith('.tmp')), [], 'resume removed the dead temporary');
  const losses = metricLines(runs, 'tiny', resumed!.id, 'c01').filter((m) => m.name === 'tiny-train/loss');
  assert.equal(losses.map((m) => m.step), [0, 1, 2, 3, 4, 5, 6, 7], 'no duplicated metric points after resume');

  const again = cli(['resume', killed!.id], { env });
  assert.is(again.status, 0);
  assert.ok(again.stderr.includes('0 of 3 cell(s) to finish'));
});

test('two sweeps at once on one runs/ folder both finish, in separate folders, sharing the cache', async () => {
  const { runs, env } = tinyEnv({ TINY_EPOCH_MS: '50' });
  const start = (args: string[]) =>
    new Promise<number | null>((resolve) => {
      const child = cliSpawn(['run', TINY, ...args], { env });
      child.once('exit', (code) => resolve(code));
    });
  const codes = await Promise.all([start(['render.noise=0,0.5', 'train.epochs=3']), start(['render.noise=0.5,0', 'train.epochs=3'])]);
  assert.equal(codes, [0, 0]);
  const sweeps = sweepsIn(runs, 'tiny');
  assert.is(sweeps.length, 2);
  assert.ok(sweeps.every((s) => s.status === 'finished' && s.cells.every((c) => c.status === 'finished')));
  const keys = sweeps.flatMap((s) => s.cells.map((c) => c.stages['tiny-train']!.key));
  assert.is(new Set(keys).size, 2, 'same cells, same keys');
  const cacheDir = join(runs, '.cache', 'tiny-train');
  assert.is(readdirSync(cacheDir).length, 2, 'two complete entries, no leftovers');
  for (const key of new Set(keys)) assert.ok(existsSync(join(cacheDir, key, 'entry.json')));
});

/** A throwaway git repository with one committed file, as the working folder of a run. */
function gitRepo(): { dir: string; git: (...args: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-git-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q');
  // `node --import tsx` resolves tsx from the working folder.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'notes.txt'), 'first\n');
  git('add', 'notes.txt');
  git('commit', '-q', '-m', 'first');
  return { dir, git };
}

test('a dirty tree: every cell gets the patch (git diff HEAD) as an artifact, and provenance tags', () => {
  const { runs, env } = tinyEnv();
  const repo = gitRepo();
  writeFileSync(join(repo.dir, 'notes.txt'), 'first\nuncommitted change\n');
  const r = cli(['run', TINY], { env, cwd: repo.dir });
  assert.is(r.status, 0, r.stderr);
  const [sweep] = sweepsIn(runs, 'tiny');
  const cellDir = join(runs, 'tiny', sweep!.id, 'cells', 'c00');
  const patch = readFileSync(join(cellDir, 'artifacts', 'provenance', 'git-diff-HEAD.patch'), 'utf8');
  assert.ok(patch.includes('+uncommitted change'), patch);
  const tags = JSON.parse(readFileSync(join(cellDir, 'run.json'), 'utf8')).tags as Record<string, string>;
  assert.is(tags['git.commit'], repo.git('rev-parse', 'HEAD'));
  assert.is(tags['git.dirty'], 'true');
  assert.is(tags['runtime.node'], process.version);
  assert.match(tags['deps.lockSha256'] ?? '', /^[0-9a-f]{64}$/);
  for (const name of ['runtime.npm', 'host.os', 'host.cpu', 'ecg-lab.version']) assert.ok(tags[name], name);

  const clean = gitRepo();
  assert.is(cli(['run', TINY, 'render.noise=0.5'], { env, cwd: clean.dir }).status, 0);
  const second = sweepsIn(runs, 'tiny')[1]!;
  assert.not.ok(existsSync(join(runs, 'tiny', second.id, 'cells', 'c00', 'artifacts', 'provenance')), 'no patch from a clean tree');
});

test('resume warns when HEAD moved since the sweep was created, and the cells it runs record the new commit', () => {
  const { runs, env } = tinyEnv();
  const repo = gitRepo();
  const first = repo.git('rev-parse', 'HEAD');
  const failed = cli(['run', TINY, 'render.noise=0,0.5'], { env: { ...env, TINY_FAIL_NOISE: '0.5' }, cwd: repo.dir });
  assert.is(failed.status, 1);
  writeFileSync(join(repo.dir, 'notes.txt'), 'second\n');
  repo.git('commit', '-q', '-am', 'second');
  const moved = repo.git('rev-parse', 'HEAD');
  const [sweep] = sweepsIn(runs, 'tiny');
  const r = cli(['resume', sweep!.id], { env, cwd: repo.dir });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stderr.includes('HEAD moved') && r.stderr.includes(first.slice(0, 12)) && r.stderr.includes(moved.slice(0, 12)), r.stderr);
  const commits = ['c00', 'c01'].map((id) => JSON.parse(readFileSync(join(runs, 'tiny', sweep!.id, 'cells', id, 'run.json'), 'utf8')).tags['git.commit']);
  assert.equal(commits, [first, moved], 'c00 ran at the first commit, the resumed c01 at the second');
  const quiet = cli(['resume', sweep!.id], { env, cwd: repo.dir });
  assert.ok(quiet.stderr.includes('HEAD moved'), 'the sweep still records the commit it was created at');
});

test.run();
