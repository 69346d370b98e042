/**
 * One glyph per presence state, drawn by the stylesheet (styles.css: the tile's `.state-<STATE>` class picks the
 * `.state-icon` mask; no image request, no dependence on the machine's fonts). Decorative: the label beside it and the
 * tile's aria-label say the state in words.
 */
export function StateIcon() {
  return <span class="state-icon" aria-hidden="true" />;
}
