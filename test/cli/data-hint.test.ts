/** The PTB-XL experiments read data inside the clone (data/ptb-xl), and --dry-run says where to get it when it is missing. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from '../helpers/cli.js';

for (const [experiment, folder, hint] of [
  ['paper', 'data/ptb-xl', 'download PTB-XL from https://physionet.org/content/ptb-xl/'],
  ['real-signals', 'data/ptb-xl/records100', "PTB-XL's records100/ from https://physionet.org/content/ptb-xl/"],
] as const) {
  test(`run ${experiment} --dry-run without ${folder}: exit 2, the folder and where to get the data`, () => {
    if (existsSync(join(ROOT, folder))) return; // a clone with the data: nothing to refuse
    const runs = mkdtempSync(`${tmpdir()}/hint-`);
    const r = cli(['run', experiment, '--dry-run', '--runs', runs]);
    assert.is(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(`data.path = "${folder}"`), r.stderr);
    assert.ok(r.stderr.includes('does not exist'), r.stderr);
    assert.ok(r.stderr.includes(hint), r.stderr);
    assert.equal(readdirSync(runs), [], 'nothing written');
  });
}

test.run();
