/**
 * First step of `npm test`: the browser tests need Chromium. Installs Debian's package when running
 * as root and it is missing; otherwise exits 1 at once with one line that says what to do.
 */
import { ensureChromium } from "../e2e/chromium";

const result = ensureChromium({ log: (line) => console.log(line) });
if (!result.ok) {
  console.error(result.message);
  process.exit(1);
}
