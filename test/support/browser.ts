import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why a browser test cannot run here, or false: CI installs Chromium and must
 * run them; elsewhere it may be missing.
 */
export const noChromium =
  !existsSync(CHROMIUM) && !process.env.CI && `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;

/** Headless Debian Chromium, without the background traffic a closed network refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
