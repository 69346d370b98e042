import { Component, type FunctionComponent, h } from 'preact';

/**
 * React's `memo` without preact/compat (which would add ~6 kB to the bundle for this one function): the component
 * renders again only when a prop changed identity. Context changes (the language) still reach it: the inner component
 * subscribes to the context itself.
 */
export function memo<P extends object>(render: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: Readonly<P>): boolean {
      const current = this.props as Record<string, unknown>;
      const incoming = next as Record<string, unknown>;
      for (const key in current) if (!(key in incoming)) return true;
      for (const key in incoming) if (current[key] !== incoming[key]) return true;
      return false;
    }

    override render(props: P) {
      return h(render, props);
    }
  }
  return Memo as unknown as FunctionComponent<P>;
}
