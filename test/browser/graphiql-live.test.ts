import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumInstalled } from '../utils/backends.ts';
import { createDisposer } from '../utils/disposer.ts';
import { spawnGateway } from '../utils/spawn-gateway.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/**
 * `npm start` as a new user runs it, then what the banner says: open GraphiQL, paste the printed subscription, run
 * it, and see live agent events — in a real browser (Debian's chromium through playwright-core).
 */
const CHROMIUM = CHROMIUM_PATH;

describe.skipIf(!chromiumInstalled())('GraphiQL in a browser shows the demo subscription live', () => {
  const disposer = createDisposer();
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await disposer.dispose();
  });

  it('pastes the banner subscription into GraphiQL and receives agent events', async () => {
    const { url, banner } = await spawnGateway(disposer, {
      DATABASE_URL: tempDatabaseUrl(disposer),
      PORT: '0',
      HOST: '127.0.0.1',
      SIMULATOR_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const subscription = /^\s*(subscription \{.*\})\s*$/m.exec(banner)?.[1];
    if (!subscription) throw new Error(`no subscription in the banner:\n${banner}`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage();
    const offsite: string[] = [];
    page.on('request', (request) => {
      // blob: and data: URLs are the page's own (workers, fonts); anything else must be this gateway.
      if (!/^(blob:|data:)/.test(request.url()) && !request.url().startsWith(url)) offsite.push(request.url());
    });
    await page.goto(`${url}/graphql`);
    const editor = page.locator('.graphiql-query-editor').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    // insertText pastes as a whole, so the editor's bracket auto-closing does not double braces.
    await page.keyboard.insertText(subscription);
    await page.locator('.graphiql-execute-button').first().click();

    // Bounded wait for the result pane to show a live event.
    await page
      .waitForFunction(() => /"agentStatusChanged"[\s\S]*"eventId"[\s\S]*"status":\s*"(RING|ANSWER|HANGUP)"/.test(document.body.innerText), undefined, {
        timeout: 15_000,
      })
      .catch(async (error: unknown) => {
        throw new Error(`no live event in GraphiQL: ${String(error)}\n${await page.locator('body').innerText()}`);
      });
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/"extension":\s*"\d+"/);
    // GraphiQL's assets come from the gateway itself: nothing is fetched from a CDN.
    expect(offsite).toEqual([]);
  }, 60_000);
});
