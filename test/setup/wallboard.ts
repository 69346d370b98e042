import { bundleWallboard } from '../../scripts/bundle-wallboard.ts';

/**
 * Vitest global setup: builds the wallboard into dist/wallboard/ (what `npm run build` does; esbuild, well under a
 * second), so the route, trusted-document and browser tests run the page of this checkout, never a stale build.
 */
export default async function setup(): Promise<void> {
  await bundleWallboard();
}
