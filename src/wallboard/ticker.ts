import { timeInState } from './lib/format.ts';

/**
 * Time in state, ticking: ONE interval for the whole page updates the text of every tile's clock, instead of
 * re-rendering 1,000 components every second. A tile's leaf registers its element with its start time. Tiles off
 * screen cost next to nothing (the stylesheet's content-visibility skips their rendering), so no visibility
 * bookkeeping: an IntersectionObserver on 1,000 tiles cost more per frame than the writes it saved. The text node's
 * `data` is changed in place (not `textContent`), so Preact's own reference to that node stays valid when the tile
 * renders again.
 */

const entries = new Map<Element, number | null>();
let interval: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  const now = Date.now();
  for (const [element, since] of entries) {
    const node = element.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE) {
      const text = timeInState(since, now) || '–';
      if ((node as Text).data !== text) (node as Text).data = text;
    }
  }
}

/** Registers a clock, or gives a registered one its new start time. */
export function track(element: Element, since: number | null): void {
  entries.set(element, since);
  interval ??= setInterval(tick, 1000);
}

export function untrack(element: Element): void {
  entries.delete(element);
  if (entries.size === 0 && interval !== undefined) {
    clearInterval(interval);
    interval = undefined;
  }
}
