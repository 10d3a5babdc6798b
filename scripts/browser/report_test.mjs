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
  expect(sizeMB <= 4, `${path} is ${sizeMB.toFixed(2)} MB, over the 4 MB budget`);
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
async function checkAnalysis(page) {
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
      scripts: document.scripts.length,
      styles: document.querySelectorAll('style').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}[${a.name}]`)),
      literal: Object.fromEntries(hostile.map((h) => [h, text.split(h).length - 1])),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    };
  }, HOSTILE);
  expect(facts.sections >= 5, `the analysis has ${facts.sections} sections, expected the 5 diagnostics at least`);
  expect(facts.images.length >= 5, `the analysis has ${facts.images.length} figures`);
  for (const img of facts.images) expect(img.natural > 0 && img.alt.trim() && img.fits, `analysis figure did not decode, has no alt text or overflows: ${img.alt.slice(0, 50)}`);
  expect(facts.tocTargets.length === facts.sections && facts.tocTargets.every(Boolean), 'an analysis contents link points at no section');
  expect(facts.maths.length > 0 && facts.maths.every((w) => w > 0), 'analysis formulas are missing or have no size');
  expect(facts.pwned === null && facts.scripts === 0 && facts.handlers.length === 0, `a hostile token became markup: ${JSON.stringify(facts)}`);
  expect(facts.styles === 1, 'a hostile token split the stylesheet');
  for (const [h, count] of Object.entries(facts.literal)) expect(count >= 1, `hostile token ${JSON.stringify(h)} is not shown literally`);
  expect(facts.scrollWidth <= facts.clientWidth + 1, `the analysis page scrolls sideways (${facts.scrollWidth} > ${facts.clientWidth})`);
  return facts;
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
  mkdirSync(shotDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'embspace-chromium-'));
  const started = Date.now();
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
  });
  const offsite = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  try {
    for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
      for (const colorScheme of ['light', 'dark']) {
        const { page, problems } = await open(context, reportPath, { viewport, colorScheme });
        const facts = await checkReport(page);
        const shot = join(shotDir, `report-${name}-${colorScheme}.png`);
        await page.screenshot({ path: shot });
        if (name === 'desktop' && colorScheme === 'light') {
          await page.screenshot({ path: join(shotDir, 'report-desktop-light-full.png'), fullPage: true });
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
    expect(offsite.length === 0, `requests left the file: ${offsite.join(', ')}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
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
