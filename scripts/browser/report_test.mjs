// Opens report.html files from disk in headless Chromium and checks them as a reader sees them.
//
//   node scripts/browser/report_test.mjs --report reports/report.html \
//        --hostile target/hostile/report.html --screenshots target/screenshots
//
// Called by scripts/browser_test.sh, which builds both reports and installs what is missing.
// Uses Debian's Chromium (CHROMIUM, default /usr/bin/chromium) through playwright-core: no
// browser download. Exits 1 and lists every failed expectation when anything is wrong.

import { mkdtempSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const reportPath = resolve(args.report ?? 'reports/report.html');
const hostilePath = args.hostile && resolve(args.hostile);
// An `embspace analyze` page built from a vectors file whose tokens are the HOSTILE strings.
const analysisPath = args.analysis && resolve(args.analysis);
// An analysis of a real table (its analysis.json beside it), to check the map's answers.
const mapPath = args.map && resolve(args.map);
// An analysis page with a map of 100 000 points (examples/big_map.rs), to time the map.
const bigMapPath = args['big-map'] && resolve(args['big-map']);
// A comparison (`embspace compare`) of two tables whose tokens are the HOSTILE strings.
const comparisonPath = args.comparison && resolve(args.comparison);
const untiedPath = args.untied && resolve(args.untied);
const shotDir = resolve(args.screenshots ?? 'target/screenshots');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const failures = [];
const expect = (ok, message) => {
  if (!ok) failures.push(message);
  return ok;
};

// The hostile strings the hostile report was built from (examples/hostile_report.rs).
const HOSTILE = ['<script>', '"onmouseover=', '</style>', '\u202E'];

/** Static checks on the file's bytes: nothing in it may point off the file. */
function checkFileText(path) {
  const html = readFileSync(path, 'utf8');
  const sizeMB = Buffer.byteLength(html) / 1e6;
  console.log(`${path}: ${sizeMB.toFixed(2)} MB`);
  // Report pages: 4 MB. A map page: 6 MB at up to 20 000 points (big maps are only timed).
  const budget = path === bigMapPath ? Infinity : 4 + (html.includes('id="map-app"') ? 2 : 0);
  expect(sizeMB <= budget, `${path} is ${sizeMB.toFixed(2)} MB, over its ${budget} MB budget`);
  // Data URIs are long base64 runs: leave them out so "//" inside base64 cannot match.
  const text = html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, 'data:');
  for (const [name, pattern] of [
    ['a URL with a scheme', /\b(?:https?|ftp|wss?):/i],
    ['a protocol-relative URL', /(?:src|href|action|poster|srcset)\s*=\s*["']?\/\//i],
    ['a CSS url() or @import', /url\(\s*["']?(?!data:|#)|@import/i],
    ['an xmlns attribute', /xmlns(?::\w+)?=/i],
  ]) {
    const found = text.match(pattern);
    expect(!found, `${path} contains ${name}: …${found && text.slice(Math.max(0, found.index - 40), found.index + 60)}…`);
  }
}

/** Opens a page, recording console errors, page errors and every request that is not the file itself. */
async function open(context, path, { viewport, colorScheme }) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()} (${r.failure()?.errorText})`));
  page.on('dialog', (d) => {
    problems.push(`a script opened a dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme, media: 'screen' });
  const url = pathToFileURL(path).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, url };
}

/** Everything a reader of the real report relies on. */
async function checkReport(page) {
  const facts = await page.evaluate(async () => {
    const imgs = [...document.images];
    await Promise.all(imgs.map((img) => img.decode().catch(() => {})));
    const tocLinks = [...document.querySelectorAll('nav.toc a[href^="#"], table.overview a[href^="#"]')];
    const maths = [...document.querySelectorAll('math')];
    const headings = [...document.querySelectorAll('section.demo')].map((s) => ({
      id: s.id,
      anchor: s.querySelector(`h2 a.anchor[href="#${CSS.escape(s.id)}"]`) !== null,
      badge: s.querySelector('h2 .badge') !== null,
    }));
    return {
      images: imgs.map((img) => ({ src: img.currentSrc.slice(0, 30), natural: img.naturalWidth, alt: img.alt, shown: img.getBoundingClientRect().width, fits: img.getBoundingClientRect().right <= document.documentElement.clientWidth + 1 })),
      tocTargets: tocLinks.map((a) => ({ href: a.getAttribute('href'), exists: document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))) !== null })),
      tocBadges: [...document.querySelectorAll('nav.toc li')].map((li) => li.querySelector('.badge')?.textContent),
      summaryBadges: [...document.querySelectorAll('table.overview tbody tr')].map((tr) => tr.querySelector('.badge')?.textContent),
      maths: maths.map((m) => {
        const r = m.getBoundingClientRect();
        // A formula inside a closed <details> has no box; none are expected.
        return { w: r.width, h: r.height, tex: m.querySelector('annotation')?.textContent ?? '' };
      }),
      mathErrors: document.querySelectorAll('.math-error, merror').length,
      mathmlSupported: typeof MathMLElement !== 'undefined' && maths.every((m) => m instanceof MathMLElement),
      headings,
      demos: document.querySelectorAll('section.demo').length,
      highlighted: document.querySelectorAll('pre code .hl-kw').length,
      codeBlocks: [...document.querySelectorAll('section.demo > details.code')].map((d) => d.querySelector('summary') !== null),
      realParts: [...document.querySelectorAll('section.demo section.real')].map((r) => ({
        code: r.querySelector(':scope > details.code > summary') !== null,
        verdicts: r.querySelectorAll('table.verdicts tbody tr').length,
        figures: r.querySelectorAll('figure img').length,
      })),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      figures: [...document.querySelectorAll('figure[id]')].map((f) => f.id),
    };
  });
  expect(facts.demos > 0, 'no demo section in the report');
  expect(facts.images.length > 0, 'no figure in the report');
  for (const img of facts.images) {
    expect(img.natural > 0, `an image did not decode (${img.src}…)`);
    expect(img.alt.trim().length > 0, `an image has no alt text (${img.src}…)`);
    expect(img.shown > 0 && img.fits, `an image is wider than the page (${img.alt.slice(0, 50)})`);
  }
  expect(facts.tocTargets.length >= 2 * facts.demos, `expected TOC and summary links to every demo, found ${facts.tocTargets.length}`);
  for (const t of facts.tocTargets) expect(t.exists, `TOC link ${t.href} points at no element`);
  expect(facts.tocBadges.length === facts.demos && facts.tocBadges.every((b) => b === 'PASS' || b === 'FAIL'), `every TOC entry needs a PASS/FAIL badge: ${facts.tocBadges}`);
  expect(facts.summaryBadges.length === facts.demos && facts.summaryBadges.every((b) => b === 'PASS' || b === 'FAIL'), `every summary row needs a PASS/FAIL badge: ${facts.summaryBadges}`);
  const firstPass = facts.summaryBadges.indexOf('PASS');
  expect(firstPass === -1 || !facts.summaryBadges.slice(firstPass).includes('FAIL'), 'failing demos must come first in the summary');
  expect(facts.maths.length > 0, 'no formula in the report');
  expect(facts.mathmlSupported, 'formulas are not MathML elements');
  expect(facts.mathErrors === 0, `${facts.mathErrors} formula(s) failed to convert to MathML`);
  for (const m of facts.maths) expect(m.w > 0 && m.h > 0, `formula has no size: ${m.tex}`);
  for (const h of facts.headings) {
    expect(h.anchor, `demo heading ${h.id} has no anchor link to itself`);
    expect(h.badge, `demo heading ${h.id} has no badge`);
  }
  expect(facts.highlighted > 0, 'code blocks are not syntax highlighted');
  expect(facts.codeBlocks.length === facts.demos && facts.codeBlocks.every(Boolean), 'every demo needs a foldable <details> code block');
  for (const r of facts.realParts) expect(r.code && r.verdicts > 0 && r.figures > 0, `a part on real embeddings lacks its code, verdicts or figure: ${JSON.stringify(r)}`);
  expect(facts.scrollWidth <= facts.clientWidth + 1, `the page scrolls sideways (${facts.scrollWidth} > ${facts.clientWidth})`);
  return facts;
}

/** Clicking a figure opens it full size over the page; clicking again closes it. */
async function checkLightbox(page, figureId) {
  const summary = page.locator(`figure#${figureId} details.zoom > summary`);
  const state = () =>
    page.evaluate((id) => {
      const details = document.querySelector(`figure#${id} details.zoom`);
      const img = details.querySelector('img');
      const box = img.getBoundingClientRect();
      return { open: details.open, position: getComputedStyle(details.querySelector('summary')).position, w: box.width, natural: img.naturalWidth };
    }, figureId);
  await summary.click();
  const open = await state();
  expect(open.open && open.position === 'fixed', `clicking figure ${figureId} did not open it over the page (${JSON.stringify(open)})`);
  expect(open.w >= Math.min(open.natural, page.viewportSize().width - 40), `figure ${figureId} opened at ${open.w}px, not full size (${open.natural}px)`);
  return async () => {
    await summary.click({ position: { x: 5, y: 5 } });
    const closed = await state();
    expect(!closed.open && closed.position !== 'fixed', `figure ${figureId} did not close (${JSON.stringify(closed)})`);
  };
}

/** The analysis page: figures decode, contents links land, formulas render, hostile tokens stay text. */
async function checkAnalysis(page, { sections = 5, images = 5, maths = true, hostile = true } = {}) {
  for (const el of await page.locator('h2, nav a, td, th, figcaption, img').all()) {
    await el.hover({ timeout: 2000, force: true }).catch(() => {});
  }
  const facts = await page.evaluate(async (hostile) => {
    const imgs = [...document.images];
    await Promise.all(imgs.map((img) => img.decode().catch(() => {})));
    const text = document.body.textContent;
    return {
      sections: document.querySelectorAll('section.demo').length,
      images: imgs.map((img) => ({ natural: img.naturalWidth, alt: img.alt, fits: img.getBoundingClientRect().right <= document.documentElement.clientWidth + 1 })),
      tocTargets: [...document.querySelectorAll('nav.toc ol a[href^="#"]')].map((a) => document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))) !== null),
      maths: [...document.querySelectorAll('math')].map((m) => m.getBoundingClientRect().width),
      tables: document.querySelectorAll('table').length,
      pwned: window.__pwned ?? null,
      // The map's data (type="application/…", never run) and its one script; nothing else.
      scripts: [...document.scripts].map((s) => s.type || (s.id ? `#${s.id}` : 'inline')).join(' '),
      styles: document.querySelectorAll('style').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}[${a.name}]`)),
      literal: Object.fromEntries(hostile.map((h) => [h, text.split(h).length - 1])),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    };
  }, HOSTILE);
  expect(facts.sections >= sections, `the page has ${facts.sections} sections, expected ${sections} at least`);
  expect(facts.images.length >= images, `the page has ${facts.images.length} figures, expected ${images} at least`);
  for (const img of facts.images) expect(img.natural > 0 && img.alt.trim() && img.fits, `analysis figure did not decode, has no alt text or overflows: ${img.alt.slice(0, 50)}`);
  expect(facts.tocTargets.length === facts.sections && facts.tocTargets.every(Boolean), 'an analysis contents link points at no section');
  expect((!maths || facts.maths.length > 0) && facts.maths.every((w) => w > 0), 'analysis formulas are missing or have no size');
  const mapScripts = 'application/json application/json ' + 'application/octet-stream '.repeat(6) + 'inline';
  expect(facts.pwned === null && [mapScripts, ''].includes(facts.scripts) && facts.handlers.length === 0, `a hostile token became markup: ${JSON.stringify(facts)}`);
  expect(facts.styles === 1, 'a hostile token split the stylesheet');
  if (hostile) for (const [h, count] of Object.entries(facts.literal)) expect(count >= 1, `hostile token ${JSON.stringify(h)} is not shown literally`);
  expect(facts.scrollWidth <= facts.clientWidth + 1, `the analysis page scrolls sideways (${facts.scrollWidth} > ${facts.clientWidth})`);
  return facts;
}

/** The tokens as the map's panel shows them: long ones cut at 80 characters. */
const shownToken = (t) => (t.length > 80 ? t.slice(0, 80) + '…' : t);

/** Searches `query` in the map and returns what its panel then lists. */
async function searchMap(page, query) {
  await page.fill('#map-app input[type=search]', query);
  await page.press('#map-app input[type=search]', 'Enter');
  await page.waitForTimeout(600); // the flight to the token lasts 400 ms
  return page.evaluate(() => ({
    pinned: window.__embspaceMap.pinned,
    title: document.querySelector('.map-panel h3')?.textContent ?? null,
    neighbours: [...document.querySelectorAll('.map-panel li')].map((li) => [li.querySelector('button').textContent, li.querySelector('.num').textContent]),
    status: document.querySelector('.map-status').textContent,
  }));
}

/**
 * The interactive map against analysis.json's map: search (exact, then prefix) pins the token
 * and lists its neighbours as the JSON has them; hover shows a label; a click pins; drag and
 * wheel move the view. `probes` are tokens to search for (hostile ones included).
 */
async function checkMap(page, map, probes, label) {
  const state = await page.evaluate(() => ({
    ready: typeof window.__embspaceMap === 'object',
    n: window.__embspaceMap?.n,
    app: !document.getElementById('map-app').hidden,
    staticHidden: [...document.querySelectorAll('.map-static-figure')].every((f) => f.hidden),
  }));
  expect(state.ready && state.app && state.staticHidden, `${label}: the map did not start (${JSON.stringify(state)})`);
  expect(state.n === map.tokens.length, `${label}: the page maps ${state.n} tokens, analysis.json ${map.tokens.length}`);
  await page.locator('#map-app').scrollIntoViewIfNeeded();
  for (const probe of probes) {
    const i = map.tokens.indexOf(probe);
    const found = await searchMap(page, probe);
    expect(found.pinned === i && found.title === shownToken(probe), `${label}: searching ${JSON.stringify(probe.slice(0, 40))} pinned ${found.pinned} (${JSON.stringify(found.title?.slice(0, 40))}), expected ${i}`);
    const expected = map.neighbours[i].map((j, r) => [shownToken(map.tokens[j]), map.scores[i][r].toFixed(3)]);
    expect(JSON.stringify(found.neighbours) === JSON.stringify(expected), `${label}: neighbours of ${JSON.stringify(probe.slice(0, 40))} are ${JSON.stringify(found.neighbours).slice(0, 300)}, analysis.json says ${JSON.stringify(expected).slice(0, 300)}`);
  }
  // A prefix finds the most frequent token that starts with it.
  const prefixed = map.tokens.find((t) => t.length > 3 && !map.tokens.includes(t.slice(0, 3)));
  if (prefixed) {
    const found = await searchMap(page, prefixed.slice(0, 3));
    const first = map.tokens.findIndex((t) => t.startsWith(prefixed.slice(0, 3)));
    expect(found.pinned === first, `${label}: the prefix ${JSON.stringify(prefixed.slice(0, 3))} pinned ${found.pinned}, expected ${first}`);
  }
  const missing = await searchMap(page, '\u0000no such token');
  expect(/No mapped token/.test(missing.status), `${label}: a missing token says ${JSON.stringify(missing.status)}`);
  // Hover over the pinned token: its label shows.
  const pinned = await page.evaluate(() => window.__embspaceMap.pinned);
  const box = await page.locator('#map-app canvas').boundingBox();
  const [sx, sy] = await page.evaluate((i) => window.__embspaceMap.toScreen(i), pinned);
  await page.mouse.move(box.x + sx, box.y + sy);
  await page.waitForTimeout(50);
  const tip = await page.evaluate(() => ({ shown: !document.querySelector('.map-tip').hidden, text: document.querySelector('.map-tip bdi')?.textContent }));
  expect(tip.shown && tip.text === shownToken(map.tokens[pinned]), `${label}: hovering token ${pinned} shows ${JSON.stringify(tip)}`);
  // Drag, wheel and click: the view moves, a click pins the point under the cursor.
  const before = await page.evaluate((i) => window.__embspaceMap.toScreen(i), pinned);
  await page.mouse.down();
  await page.mouse.move(box.x + sx + 60, box.y + sy + 30, { steps: 6 });
  await page.mouse.up();
  await page.mouse.wheel(0, -240);
  await page.waitForTimeout(100);
  const after = await page.evaluate((i) => window.__embspaceMap.toScreen(i), pinned);
  expect(Math.hypot(after[0] - before[0], after[1] - before[1]) > 20, `${label}: dragging and zooming did not move the map`);
  const other = map.neighbours[pinned][0];
  const [ox, oy] = await page.evaluate((i) => window.__embspaceMap.toScreen(i), other);
  if (ox > 0 && oy > 0 && ox < box.width && oy < box.height) {
    await page.mouse.click(box.x + ox, box.y + oy);
    await page.waitForTimeout(50);
    const now = await page.evaluate(() => window.__embspaceMap.pinned);
    const at = await page.evaluate(([x, y]) => window.__embspaceMap.nearestAt?.(x, y), [ox, oy]);
    expect(now === (at ?? other), `${label}: clicking token ${other} pinned ${now}`);
  }
}

/**
 * A two-finger pinch on the map, through Chromium's touch input (so the page sees real pointer
 * events, as on a phone): the fingers spread from 80 to 160 px apart, which must zoom in by 2,
 * measured as the change of the on-screen distance between two tokens.
 */
async function checkPinch(page, label) {
  const box = await page.locator('#map-app canvas').boundingBox();
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  const [a, b] = await page.evaluate(() => [window.__embspaceMap.pinned, 0]);
  const apart = () => page.evaluate(([i, j]) => {
    const [p, q] = [window.__embspaceMap.toScreen(i), window.__embspaceMap.toScreen(j)];
    return Math.hypot(p[0] - q[0], p[1] - q[1]);
  }, [a, b === a ? 1 : b]);
  const before = await apart();
  const cdp = await page.context().newCDPSession(page);
  const fingers = (half) => [{ x: cx - half, y: cy, id: 0 }, { x: cx + half, y: cy, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(40) });
  for (let step = 1; step <= 8; step++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(40 + 5 * step) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  const zoom = (await apart()) / before;
  expect(Math.abs(zoom - 2) < 0.02, `${label}: pinching the fingers twice as far apart zoomed by ${zoom.toFixed(3)}, not 2`);
}

/**
 * The map hidden (its canvas 0 px wide, as in a collapsed layout) and shown again: no error, and
 * the same view as before.
 */
async function checkHiddenAndBack(page, label) {
  const where = () => page.evaluate(() => window.__embspaceMap.toScreen(0));
  const before = await where();
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  await page.evaluate(() => { document.querySelector('#map-app canvas').style.width = '0px'; });
  await frame();
  await page.evaluate(() => { document.querySelector('#map-app canvas').style.width = ''; });
  await frame();
  const after = await where();
  expect(Math.hypot(after[0] - before[0], after[1] - before[1]) < 1e-6, `${label}: hiding and showing the map moved token 0 from ${before} to ${after}`);
}

/** The map's frame times while panning, and its first paint, at 100 000 points. */
async function timeMap(page) {
  await page.locator('#map-app').scrollIntoViewIfNeeded();
  const box = await page.locator('#map-app canvas').boundingBox();
  await page.evaluate(() => { window.__embspaceMap.frames.length = 0; });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let step = 0; step < 60; step++) {
    await page.mouse.move(box.x + box.width / 2 + 4 * Math.sin(step / 5) * step, box.y + box.height / 2 + 2 * step);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  await page.mouse.up();
  return page.evaluate(() => {
    const frames = [...window.__embspaceMap.frames].sort((a, b) => a - b);
    const at = (q) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))];
    return { points: window.__embspaceMap.n, frames: frames.length, median: at(0.5), p95: at(0.95), max: frames.at(-1), firstPaint: window.__embspaceMap.firstPaint };
  });
}

/** The hostile report: no script ran, no handler attribute exists, the text reads literally. */
async function checkHostile(page) {
  // Hover and click everything a reader might touch, so an injected handler would fire.
  for (const el of await page.locator('h2, nav a, td, figcaption, img, pre, summary').all()) {
    await el.hover({ timeout: 2000, force: true }).catch(() => {});
  }
  const facts = await page.evaluate((hostile) => {
    const text = document.body.textContent;
    const handlers = [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}[${a.name}]`));
    const title = document.querySelector('section.demo h2 .title');
    const badge = document.querySelector('section.demo h2 .badge');
    return {
      pwned: window.__pwned ?? null,
      scripts: document.scripts.length,
      styles: document.querySelectorAll('style').length,
      styleApplied: getComputedStyle(document.querySelector('nav.toc')).position,
      handlers,
      literal: Object.fromEntries(hostile.map((h) => [h, text.split(h).length - 1])),
      titleIsolated: title ? getComputedStyle(title).unicodeBidi : null,
      // The badge follows the title's last line: to its right, or below it when it wraps.
      badgeAfterTitle: (() => {
        if (!title || !badge) return false;
        const last = [...title.getClientRects()].at(-1);
        const b = badge.getBoundingClientRect();
        return b.left >= last.right - 1 || b.top >= last.bottom - 1;
      })(),
    };
  }, HOSTILE);
  expect(facts.pwned === null, `a hostile script ran: window.__pwned = ${facts.pwned}`);
  expect(facts.scripts === 0, `the hostile report has ${facts.scripts} <script> element(s)`);
  expect(facts.handlers.length === 0, `the hostile report has event handler attributes: ${facts.handlers}`);
  expect(facts.styles === 1, `a hostile </style> split the stylesheet (${facts.styles} <style> elements)`);
  for (const [h, count] of Object.entries(facts.literal)) {
    expect(count >= 3, `hostile text ${JSON.stringify(h)} is shown literally only ${count} time(s)`);
  }
  expect(facts.titleIsolated === 'isolate', `demo titles are not bidi-isolated (${facts.titleIsolated})`);
  expect(facts.badgeAfterTitle, 'a bidi override in the title moved the badge');
  return facts;
}

async function main() {
  checkFileText(reportPath);
  if (hostilePath) checkFileText(hostilePath);
  if (analysisPath) checkFileText(analysisPath);
  if (mapPath) checkFileText(mapPath);
  if (bigMapPath) checkFileText(bigMapPath);
  if (comparisonPath) checkFileText(comparisonPath);
  if (untiedPath) checkFileText(untiedPath);
  mkdirSync(shotDir, { recursive: true });
  const started = Date.now();
  const offsite = [];
  const profiles = [];
  // A fresh Chromium profile whose every request off the file is recorded and refused.
  const launch = async (options = {}) => {
    const profile = mkdtempSync(join(tmpdir(), 'embspace-chromium-'));
    profiles.push(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Belt and braces for "offline": any host name fails to resolve, so a request that
        // slipped past the route below would also show up as a failed request.
        '--host-resolver-rules=MAP * ~NOTFOUND',
      ],
      ...options,
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    return context;
  };
  const context = await launch();
  try {
    for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
      for (const colorScheme of ['light', 'dark']) {
        const { page, problems } = await open(context, reportPath, { viewport, colorScheme });
        const facts = await checkReport(page);
        const shot = join(shotDir, `report-${name}-${colorScheme}.png`);
        await page.screenshot({ path: shot });
        if (name === 'desktop' && colorScheme === 'light') {
          // The whole report is ~100 000 px tall: a full-page shot takes over 30 s on a slow
          // two-core runner and cannot be looked at anyway. Shoot the first real-data part instead.
          await page.locator('h3', { hasText: 'On real embeddings' }).first().scrollIntoViewIfNeeded();
          await page.screenshot({ path: join(shotDir, 'report-desktop-light-real.png') });
          const close = await checkLightbox(page, facts.figures[0]);
          await page.screenshot({ path: join(shotDir, 'report-desktop-light-lightbox.png') });
          await close();
          await page.emulateMedia({ media: 'print' });
          const hidden = await page.evaluate(() => getComputedStyle(document.querySelector('nav.toc')).display);
          expect(hidden === 'none', 'the print stylesheet still shows the TOC');
          await page.pdf({ path: join(shotDir, 'report-print.pdf'), format: 'A4' }).catch(() => {});
        }
        if (name === 'phone' && colorScheme === 'light') {
          const close = await checkLightbox(page, facts.figures[0]);
          await page.screenshot({ path: join(shotDir, 'report-phone-light-lightbox.png') });
          await close();
        }
        console.log(`${name} ${colorScheme}: ${facts.demos} demos, ${facts.images.length} figures, ${facts.maths.length} formulas, ${facts.tocTargets.length} links checked -> ${shot}`);
        for (const p of problems) expect(false, `${name} ${colorScheme}: ${p}`);
        await page.close();
      }
    }
    if (hostilePath) {
      const { page, problems } = await open(context, hostilePath, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
      const facts = await checkHostile(page);
      await page.screenshot({ path: join(shotDir, 'hostile-desktop-light.png'), fullPage: true });
      console.log(`hostile: ${JSON.stringify(facts.literal)} literal occurrences, no script ran`);
      for (const p of problems) expect(false, `hostile: ${p}`);
      await page.close();
    }
    if (analysisPath) {
      for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
        const { page, problems } = await open(context, analysisPath, { viewport, colorScheme: 'light' });
        const facts = await checkAnalysis(page);
        await page.screenshot({ path: join(shotDir, `analysis-${name}-light.png`), fullPage: name === 'desktop' });
        console.log(`analysis ${name}: ${facts.sections} sections, ${facts.images.length} figures, ${facts.tables} tables, hostile tokens literal ${JSON.stringify(facts.literal)}`);
        for (const p of problems) expect(false, `analysis ${name}: ${p}`);
        await page.close();
      }
    }
    if (analysisPath) {
      // The hostile tokens on the map: searched, listed and hovered, shown literally, never run.
      const { page, problems } = await open(context, analysisPath, { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
      const map = JSON.parse(readFileSync(join(analysisPath, '..', 'analysis.json'), 'utf8')).results.map;
      await checkMap(page, map, map.tokens.filter((t) => HOSTILE.some((h) => t.includes(h)) || t.length > 1000), 'hostile map');
      expect((await page.evaluate(() => window.__pwned ?? null)) === null, 'a hostile token ran on the map');
      await page.locator('#map-app').screenshot({ path: join(shotDir, 'analysis-map-hostile-dark.png') });
      for (const p of problems) expect(false, `hostile map: ${p}`);
      await page.close();
    }
    if (untiedPath) {
      // An untied GGUF model (tokens such as <s> and <|user|> among them): the input-versus-output
      // section draws its two figures.
      const { page, problems } = await open(context, untiedPath, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
      const facts = await checkAnalysis(page, { sections: 8, images: 2, hostile: false });
      const figures = await page.evaluate(() => [...document.querySelectorAll('#input-output img')].map((img) => img.naturalWidth > 0));
      expect(figures.length === 2 && figures.every(Boolean), `untied: the input-versus-output section shows ${JSON.stringify(figures)} figures, expected two decoded`);
      await page.locator('#input-output').screenshot({ path: join(shotDir, 'analysis-input-output.png') });
      console.log(`untied model: ${facts.sections} sections, ${facts.images.length} figures`);
      for (const p of problems) expect(false, `untied: ${p}`);
      await page.close();
    }
    if (comparisonPath) {
      const { page, problems } = await open(context, comparisonPath, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
      const facts = await checkAnalysis(page, { sections: 3, images: 1, maths: false });
      await page.screenshot({ path: join(shotDir, 'comparison-desktop-light.png'), fullPage: true });
      console.log(`comparison: ${facts.sections} sections, ${facts.images.length} figures, hostile tokens literal ${JSON.stringify(facts.literal)}`);
      for (const p of problems) expect(false, `comparison: ${p}`);
      await page.close();
    }
    if (mapPath) {
      const map = JSON.parse(readFileSync(join(mapPath, '..', 'analysis.json'), 'utf8')).results.map;
      for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
        const { page, problems } = await open(context, mapPath, { viewport, colorScheme: 'light' });
        await checkMap(page, map, ['king', 'paris', map.tokens[0]], `map ${name}`);
        if (name === 'phone') await checkPinch(page, `map ${name}`);
        await checkHiddenAndBack(page, `map ${name}`);
        await page.locator('#map-app').screenshot({ path: join(shotDir, `analysis-map-${name}.png`) });
        await page.selectOption('#map-app select', 'cluster');
        await page.waitForTimeout(50);
        await page.locator('#map-app').screenshot({ path: join(shotDir, `analysis-map-${name}-clusters.png`) });
        for (const p of problems) expect(false, `map ${name}: ${p}`);
        await page.close();
      }
      // Without JavaScript the page still shows the map, as a PNG, and the neighbour table.
      const still = await launch({ javaScriptEnabled: false });
      {
        const noScript = await still.newPage();
        await noScript.goto(pathToFileURL(mapPath).href);
        const facts = await noScript.evaluate(() => ({
          app: getComputedStyle(document.getElementById('map-app')).display,
          png: [...document.querySelectorAll('.map-static-figure img')].map((img) => img.getBoundingClientRect().width),
          rows: document.querySelectorAll('#map table tbody tr').length,
        }));
        expect(facts.app === 'none' && facts.png.length === 1 && facts.png[0] > 0 && facts.rows > 0, `without JavaScript the map section shows ${JSON.stringify(facts)}`);
        await noScript.locator('#map').screenshot({ path: join(shotDir, 'analysis-map-no-script.png') });
        await still.close();
      }
    }
    if (bigMapPath) {
      const { page, problems } = await open(context, bigMapPath, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
      const timing = await timeMap(page);
      // A measurement for the README, not a pass/fail: this machine's load decides frame times.
      console.log(`map of ${timing.points} points: first paint ${timing.firstPaint.toFixed(0)} ms after navigation; ${timing.frames} frames while panning, median ${timing.median.toFixed(1)} ms, p95 ${timing.p95.toFixed(1)} ms, max ${timing.max.toFixed(1)} ms (target under 16 ms)`);
      await page.locator('#map-app').screenshot({ path: join(shotDir, 'analysis-map-100k.png') });
      for (const p of problems) expect(false, `big map: ${p}`);
      await page.close();
    }
    expect(offsite.length === 0, `requests left the file: ${offsite.join(', ')}`);
  } finally {
    await context.close();
    for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
  }
  console.log(`browser checks took ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shotDir}`);
  if (failures.length) {
    console.error(`\n${failures.length} browser check(s) failed:\n  - ${failures.join('\n  - ')}`);
    process.exit(1);
  }
  console.log('all browser checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
