/**
 * Takes the README's screenshot of a report with headless Chromium (Debian's package, driven by
 * playwright-core): `npx tsx scripts/screenshot.ts reports/demo/index.html docs/report.png`.
 */
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [page = 'reports/demo/index.html', out = 'docs/report.png', height = '1500'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const tab = await browser.newPage({ viewport: { width: 1400, height: Number(height) } });
  await tab.goto(`file://${resolve(page)}`);
  await tab.screenshot({ path: out });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
}
