/**
 * `generated/docs/index.html` driven in headless Chromium (Debian's `chromium`, see
 * .ci/apt-packages) from `file://`: search, filters, deep links, keyboard, phone width, no console
 * error; and a page built from a hostile schema runs none of the schema's text. Screenshots go to
 * test-artifacts/ (docs-index.png, docs-index-phone.png) for a human to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { anchorOf } from '../../generator/emit/docs-facts.ts';
import { MASK } from '../../generator/runtime/problems.ts';
import { REPO } from '../helpers.ts';
import { HOSTILE_TEXT, hostileModel, realModels, renderDocs } from './docs-helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const PAGE_URL = pathToFileURL(join(REPO, 'generated/docs/index.html')).href;
const ARTIFACTS = join(REPO, 'test-artifacts');
const models = await realModels();
const leaves = models.flatMap((m) => m.leaves.map((leaf) => ({ service: m.name, leaf })));

let browser: Browser;
const problems: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (see .ci/apt-packages)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
});

/** A page that records every console error, page error and failed request into `problems`. */
async function open(url: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  // A bound against a hang, not a speed claim: Chromium starts slowly on a loaded machine.
  page.setDefaultTimeout(60_000);
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${url}: console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${url}: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`${url}: request failed ${request.url()}`));
  await page.goto(url);
  return page;
}

const visibleKeys = (page: Page) =>
  page.$$eval('.key', (cards) => cards.filter((c) => !c.closest('[hidden]')).map((c) => c.id));

describe('docs/index.html in Chromium', () => {
  it('lists every key of every service', async () => {
    const page = await open(PAGE_URL);
    assert.equal((await visibleKeys(page)).length, leaves.length);
    assert.match(
      (await page.textContent('#status')) ?? '',
      new RegExp(`${leaves.length} keys in ${models.length} services`),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'docs-index.png') });
    await page.close();
  });

  it('finds a key by its environment variable name', async () => {
    const page = await open(PAGE_URL);
    await page.fill('#q', 'WAZO_CALLD_BUS_PORT');
    assert.deepEqual(await visibleKeys(page), ['wazo-calld.bus.port']);
    assert.equal(await page.textContent('#wazo-calld\\.bus\\.port mark'), 'WAZO_CALLD_BUS_PORT');
    assert.match((await page.textContent('#status')) ?? '', /^1 of \d+ keys match, in 1 service\.$/);
    // Enter goes to the first result, Escape (back in the search box) clears the search.
    await page.press('#q', 'Enter');
    assert.equal(await page.evaluate("document.activeElement?.closest('.key')?.id"), 'wazo-calld.bus.port');
    await page.focus('#q');
    await page.press('#q', 'Escape');
    assert.equal((await visibleKeys(page)).length, leaves.length);
    await page.close();
  });

  it('searches Consul keys and descriptions too, all words required', async () => {
    const page = await open(PAGE_URL);
    await page.fill('#q', 'config/wazo-dird/rest_api/port');
    assert.deepEqual(await visibleKeys(page), ['wazo-dird.rest_api.port']);
    await page.fill('#q', 'wazo-auth exchange');
    const found = await visibleKeys(page);
    assert.ok(
      found.includes('wazo-auth.amqp.exchange_name') && found.every((id) => id.startsWith('wazo-auth.')),
      found.join(),
    );
    await page.fill('#q', 'no-such-words-anywhere');
    assert.deepEqual(await visibleKeys(page), []);
    assert.ok(await page.isVisible('text=No key matches'));
    await page.click('#clear-empty');
    assert.equal((await visibleKeys(page)).length, leaves.length);
    await page.close();
  });

  it('filters by live, secret and service', async () => {
    const page = await open(PAGE_URL);
    const ids = (pick: (x: (typeof leaves)[number]) => boolean) =>
      leaves.filter(pick).map((x) => `${x.service}.${x.leaf.path.join('.')}`);
    await page.selectOption('#mutable', 'live');
    assert.deepEqual(
      await visibleKeys(page),
      ids((x) => x.leaf.mutable),
    );
    assert.ok(ids((x) => x.leaf.mutable).length > 0);
    await page.selectOption('#mutable', 'restart');
    assert.deepEqual(
      await visibleKeys(page),
      ids((x) => !x.leaf.mutable),
    );
    await page.selectOption('#mutable', '');
    await page.selectOption('#secret', 'secret');
    assert.deepEqual(
      await visibleKeys(page),
      ids((x) => x.leaf.secret),
    );
    const defaults = await page.$$eval('.key:not([hidden]) .facts dd:nth-of-type(2) code', (codes) =>
      codes.map((c) => c.textContent),
    );
    assert.ok(defaults.length > 0 && defaults.every((text) => text === MASK), defaults.join());
    await page.selectOption('#service', 'wazo-webhookd');
    assert.deepEqual(
      await visibleKeys(page),
      ids((x) => x.leaf.secret && x.service === 'wazo-webhookd'),
    );
    await page.click('button[type=reset]');
    await page.waitForFunction(`document.querySelectorAll('.key:not([hidden])').length === ${leaves.length}`);
    await page.close();
  });

  it('lands a deep link on its key, visible below the header and focused', async () => {
    const last = leaves.at(-1)!;
    const anchor = `${last.service}.${last.leaf.path.join('.')}`;
    const page = await open(`${PAGE_URL}#${anchor}`);
    await assertLanded(page, anchor);
    // A deep link to a key the filters hide clears them.
    await page.fill('#q', 'WAZO_AUTH_DEBUG');
    await page.evaluate("location.hash = '#wazo-confd.rest_api.port'");
    await page.waitForFunction("document.activeElement?.id === 'wazo-confd.rest_api.port'");
    await assertLanded(page, 'wazo-confd.rest_api.port');
    assert.equal(await page.inputValue('#q'), '');
    await page.close();
  });

  it('focuses the search with / and works at phone width', async () => {
    const page = await open(`${PAGE_URL}#wazo-auth.enabled_http_plugins`, { width: 390, height: 844 });
    await assertLanded(page, 'wazo-auth.enabled_http_plugins');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `${overflow}px wider than the phone`);
    await page.screenshot({ path: join(ARTIFACTS, 'docs-index-phone.png') });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'q');
    await page.keyboard.type('_LOG_LEVEL');
    const logLevels = leaves.filter(({ leaf }) => leaf.envName.includes('_LOG_LEVEL'));
    assert.ok(logLevels.length >= 5);
    assert.equal((await visibleKeys(page)).length, logLevels.length);
    await page.close();
  });

  it('runs none of the text of a hostile schema and shows it as text', async () => {
    const hostile = hostileModel();
    const html = (await renderDocs([hostile], ['docs-index-html'])).find((f) => f.path === 'docs/index.html')!.contents;
    const path = join(ARTIFACTS, 'hostile-index.html');
    writeFileSync(path, html);
    const page = await open(pathToFileURL(path).href);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.evaluate('document.scripts.length'), 2);
    const weird = hostile.leaves.find((leaf) => leaf.path[0] === 'we`ird|key')!;
    assert.equal(await page.textContent(`[id="${anchorOf('wazo-hostile', weird)}"] .desc`), HOSTILE_TEXT);
    assert.equal((await visibleKeys(page)).length, hostile.leaves.length);
    assert.ok(!html.includes('hunter2'));
    await page.close();
  });

  it('logged no console error, page error or failed request', () => {
    assert.deepEqual(problems, []);
  });
});

async function assertLanded(page: Page, anchor: string): Promise<void> {
  const selector = `[id="${anchor}"]`;
  await page.waitForFunction(`document.activeElement?.id === ${JSON.stringify(anchor)}`);
  assert.ok(await page.$eval(selector, (el) => el.classList.contains('is-target')), 'highlighted');
  const box = await page.$eval(selector, (el) => ({ top: el.getBoundingClientRect().top }));
  const headerBottom = await page.$eval('.top', (el) =>
    el.ownerDocument.defaultView!.getComputedStyle(el).position === 'sticky' ? el.getBoundingClientRect().bottom : 0,
  );
  const viewport = page.viewportSize()!;
  assert.ok(
    box.top >= headerBottom - 1 && box.top < viewport.height,
    `top ${box.top} below the header (${headerBottom}) and on screen`,
  );
}
