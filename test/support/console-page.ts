import type { Browser, Page } from 'playwright-core';

/** A new page on the console at `url`, signed in with `token` (waits for the who-am-I line). */
export async function signInConsole(browser: Browser, url: string, token: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  await page.getByLabel('Access token').fill(token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#who:not(:empty)');
  return page;
}
