// Pages with heavy libraries (the map's d3-geo, the earnings chart's uPlot) load as separate
// chunks on first visit, so the devices page does not wait for them.
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from './common';

export function lazy<P extends object>(load: () => Promise<ComponentType<P>>, what: string): (p: P) => JSX.Element {
  let loaded: ComponentType<P> | null = null;
  return function Lazy(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Page) return;
      load().then(
        (c) => {
          loaded = c;
          setPage(() => c);
        },
        () => setFailed(true),
      );
    }, []);
    if (failed) {
      return (
        <div class="error" role="alert">
          Cannot load the {what} page. Check your connection and reload.
        </div>
      );
    }
    return Page ? <Page {...props} /> : <Loading what={`the ${what}`} />;
  };
}
