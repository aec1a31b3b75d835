// report.html's stepper in headless Chromium, driven by puppeteer-core:
// stored captures rendered by `python3 -m labctl.report`, opened as
// file:// pages, walked with the keys, the buttons and the slider.  What
// each step must show is worked out here from the capture's own fields
// (the pushes' and pops' addresses against pt_regs'), not from labctl's
// Python.  Prints "ok NAME" / "not ok NAME" lines (tests/run counts them).
//   node stepper.test.js        (tests/browser/stepper.sh runs it)
// SCREENSHOT_DIR (default /tmp): where the screenshots after a few steps go.
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const ROOT = path.resolve(__dirname, '..', '..');
const CAPTURES = ['trace-connect', 'trace-connect-i386'];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || os.tmpdir();

let failures = 0;

// check NAME FN: ok when FN (maybe async) returns without throwing; a
// failed assertion says what it compared.
async function check(name, fn) {
  try {
    await fn();
    console.log('ok browser: ' + name);
  } catch (e) {
    failures++;
    console.log('not ok browser: ' + name);
    console.log('    ' + String(e.message).split('\n').join('\n    '));
  }
}

// ---- what the capture says ----

// The stepper's steps: the entry's, then the return's (none for a call
// that does not come back).
function captureSteps(cap) {
  return cap.entry.steps.concat(cap.return ? cap.return.steps : []);
}

// pt_regs' field at ADDR ("0x..."), or null: a word of the struct pt_regs
// at the call, by address (a push onto another stack fills none).
function fieldAt(cap, addr) {
  const base = BigInt(cap.pt_regs.addr);
  const f = cap.pt_regs.fields.find(x => base + BigInt(x.offset) === BigInt(addr));
  return f ? f.field : null;
}

// The pt_regs fields pushed (filled) and popped by the end of step N.
function expectedSlots(cap, n) {
  const filled = new Set(), popped = new Set();
  captureSteps(cap).slice(0, n + 1).forEach(s => {
    if (s.push && fieldAt(cap, s.push.addr)) filled.add(fieldAt(cap, s.push.addr));
    if (s.pop && fieldAt(cap, s.pop.addr)) popped.add(fieldAt(cap, s.pop.addr));
  });
  return { filled: [...filled].sort(), popped: [...popped].sort() };
}

// Step N as the stepper must show it: its number, its table row, its
// source line (file:line, or null), the slots.
function expected(cap, n) {
  const entries = cap.entry.steps.length;
  const s = captureSteps(cap)[n];
  return Object.assign({
    number: String(n + 1),
    row: n < entries ? 'steps-entry ' + n : 'steps-return ' + (n - entries),
    line: s.source ? path.basename(s.source.file) + ':' + s.source.line + ' ' +
      s.source.text.replace(/\s+/g, ' ').trim() : null,
  }, expectedSlots(cap, n));
}

// ---- what the page shows ----

function shown(page) {
  return page.evaluate(() => {
    const fields = sel => [...document.querySelectorAll(sel)].map(g => g.dataset.field).sort();
    const rows = [...document.querySelectorAll('tr.current')];
    const lines = [...document.querySelectorAll('pre.listing .current')];
    return {
      number: document.querySelector('#stepper output').textContent,
      row: rows.map(tr => tr.closest('table').id + ' ' + (tr.rowIndex - 1)).join(', '),
      line: lines.length ? lines.map(l => l.textContent.replace(/\s+/g, ' ').trim()).join(', ')
        : null,
      filled: fields('svg g[data-field].filled'),
      popped: fields('svg g[data-field].popped'),
    };
  });
}

async function expectStep(page, cap, n) {
  assert.deepStrictEqual(await shown(page), expected(cap, n));
}

// ---- the checks ----

function render(name) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'labctl-browser-'));
  execFileSync('python3', ['-m', 'labctl.report', path.join(ROOT, 'tests/py/captures', name + '.json'),
    out, 'html'], { cwd: path.join(ROOT, 'gdb') });
  return path.join(out, 'report.html');
}

// A page that fetches nothing: every request but the file itself is
// counted, and refused.
async function open(browser, file, requests) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1300, height: 1000 });
  page.on('pageerror', e => requests.push('page error: ' + e.message));
  await page.setRequestInterception(true);
  page.on('request', r => {
    if (r.url() === 'file://' + file) {
      r.continue();
    } else {
      requests.push(r.url());
      r.abort();
    }
  });
  await page.goto('file://' + file);
  return page;
}

async function capture(browser, name) {
  const cap = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/py/captures', name + '.json')));
  const file = render(name);
  const html = fs.readFileSync(file, 'utf8');
  const last = captureSteps(cap).length - 1;
  const firstPush = captureSteps(cap).findIndex(s => s.push && fieldAt(cap, s.push.addr));
  const requests = [];
  const page = await open(browser, file, requests);
  const key = async (k, times = 1) => {
    for (let i = 0; i < times; i++) await page.keyboard.press(k);
  };
  const t = name + ': ';

  await check(t + 'no external URL in the page', () => {
    assert.deepStrictEqual(html.match(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//gi), null);
    assert.deepStrictEqual(html.match(/url\(|@import/g), null);
  });
  await check(t + 'the stepper is shown', async () => {
    assert.strictEqual(await page.$eval('#stepper', d => d.hidden), false);
    assert.strictEqual(await page.$eval('#stepper input[type=range]', r => r.max), String(last + 1));
  });
  await check(t + 'step 1 at first', () => expectStep(page, cap, 0));
  await check(t + 'ArrowRight: step 2', async () => {
    await key('ArrowRight');
    await expectStep(page, cap, 1);
  });
  await check(t + 'ArrowRight past the first push into pt_regs: its slot filled', async () => {
    await key('ArrowRight', firstPush - 1);
    await expectStep(page, cap, firstPush);
    assert.strictEqual((await shown(page)).filled.length, 1);
  });
  await check(t + 'filled and empty slots are drawn apart', async () => {
    const fill = sel => page.$eval(sel, r => getComputedStyle(r).fill);
    assert.notStrictEqual(await fill('g.filled rect'), await fill('g[data-field]:not(.filled) rect'));
  });
  await check(t + 'ArrowLeft: back a step', async () => {
    await key('ArrowLeft');
    await expectStep(page, cap, firstPush - 1);
  });
  await check(t + 'End: the last step, every slot as the capture leaves it', async () => {
    await key('End');
    await expectStep(page, cap, last);
    assert.ok(expected(cap, last).filled.length > 0);
  });
  await check(t + 'Home: step 1 again', async () => {
    await key('Home');
    await expectStep(page, cap, 0);
  });
  await check(t + 'the slider at its right end: the last step', async () => {
    const slider = await page.$('#stepper input[type=range]');
    const box = await slider.boundingBox();
    // a real click (scrolled to first), at the track's right end
    await slider.click({ offset: { x: box.width - 1, y: box.height / 2 } });
    await expectStep(page, cap, last);
  });
  await check(t + 'the buttons: Previous, Next, each disabled at its end', async () => {
    const disabled = go => page.$eval('#stepper button[data-go="' + go + '"]', b => b.disabled);
    assert.strictEqual(await disabled(1), true);
    await page.click('#stepper button[data-go="-1"]');
    await expectStep(page, cap, last - 1);
    await page.click('#stepper button[data-go="1"]');
    await expectStep(page, cap, last);
    await key('Home');
    assert.strictEqual(await disabled(-1), true);
    await page.click('#stepper button[data-go="1"]');
    await expectStep(page, cap, 1);
  });
  await check(t + 'every step, one ArrowRight at a time, as the capture says', async () => {
    await key('Home');
    for (let n = 0; n <= last; n++) {
      if (n) await key('ArrowRight');
      assert.deepStrictEqual(await shown(page), expected(cap, n), 'step ' + (n + 1));
    }
  });
  await key('Home');
  await key('ArrowRight', firstPush + 3);
  const shot = path.join(SCREENSHOT_DIR, 'labctl-stepper-' + name + '.png');
  await page.evaluate(() => document.getElementById('stepper').scrollIntoView());
  await page.screenshot({ path: shot });
  console.log('# screenshot after ' + (firstPush + 4) + ' steps: ' + shot);
  await check(t + 'nothing fetched, no script error', () => assert.deepStrictEqual(requests, []));
  await page.close();

  await check(t + 'without scripts: the stepper hidden, the tables whole', async () => {
    const bare = await browser.newPage();
    await bare.setJavaScriptEnabled(false);
    await bare.goto('file://' + file);
    assert.strictEqual(await bare.$eval('#stepper', d => d.hidden), true);
    assert.strictEqual(await bare.$$eval('#steps-entry tr', r => r.length), cap.entry.steps.length + 1);
    await bare.close();
  });
  fs.rmSync(path.dirname(file), { recursive: true });
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    // --no-sandbox: as root (containers, CI) Chromium refuses its sandbox
    args: ['--no-sandbox', '--headless=new'],
  });
  try {
    for (const name of CAPTURES) await capture(browser, name);
  } finally {
    await browser.close();
  }
  process.exitCode = failures ? 1 : 0;
}

main().catch(e => {
  console.log('not ok browser: ' + e.message);
  process.exitCode = 1;
});
