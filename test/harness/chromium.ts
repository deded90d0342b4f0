/** Debian's chromium, headless, driven by playwright-core (which downloads no browser of its own). */
import { chromium, type Browser } from 'playwright-core';
import { requireBinary } from './process.js';

export function launchChromium(): Promise<Browser> {
  // --disable-dev-shm-usage: containers give /dev/shm a few MB, too little for the renderer.
  return chromium.launch({ executablePath: requireBinary('chromium'), headless: true, args: ['--disable-dev-shm-usage'] });
}
