import { Component, type ReactNode } from "react";

/**
 * Shown when a lazily loaded screen cannot be fetched (offline, or a deploy replaced its chunk):
 * a message and a reload instead of an empty page.
 */
export class LoadErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="list-status" role="alert">
        <p>Could not load this screen. Check your connection and reload the page.</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
