import { render } from 'preact';
import { App } from './app.tsx';
import { WallboardController } from './controller.ts';
import { i18nFor } from './i18n-context.ts';
import { LANGS } from './lib/i18n.ts';

/**
 * The wallboard page (issue 16): served by the gateway at /wallboard, built by scripts/bundle-wallboard.ts.
 * Preact (React's component model in ~4 kB) with TSX compiled by esbuild; graphql-ws for the live part.
 */
const root = document.getElementById('app');
if (root) {
  const controller = new WallboardController(root);
  render(<App controller={controller} />, root);
  void controller.start();
  // While the first requests are out: load the locales' number and time formats, one per task (see lib/i18n.ts).
  for (const lang of LANGS) i18nFor(lang).format.warm();
}
