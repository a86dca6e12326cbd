import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  ActivityPanel,
  ChainPanel,
  RatesPanel,
  ServicesPanel,
  StaleNotices,
  Summary,
  Topology,
} from "./components/views.js";
import { ExplorerController, type Snapshot } from "./explorer-state.js";
import { formatAge } from "./format.js";
import "./styles.css";

/** `?refresh=<ms>` and `?timeout=<ms>` override the defaults (2 s and 4 s), within sane bounds. */
function numberParam(name: string, fallback: number, min: number, max: number): number {
  const raw = new URLSearchParams(location.search).get(name);
  const value = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function App() {
  const controller = useMemo(
    () =>
      new ExplorerController({
        apiBase: new URL("../api/v1/", location.href),
        explorerBase: new URL("./", location.href),
        refreshMs: numberParam("refresh", 2000, 250, 60_000),
        timeoutMs: numberParam("timeout", 4000, 250, 60_000),
      }),
    [],
  );
  const [snapshot, setSnapshot] = useState<Snapshot>(() => controller.snapshot());
  useEffect(() => {
    const unsubscribe = controller.subscribe(setSnapshot);
    controller.start();
    return () => {
      unsubscribe();
      controller.stop();
    };
  }, [controller]);

  const directory = snapshot.sources.directory;
  const live = directory.ok;
  return (
    <div class="page">
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◈
          </span>
          <div>
            <h1>Nym network explorer</h1>
            <div class="faint">{location.host}</div>
          </div>
        </div>
        <div class={`live ${live ? "ok" : directory.loading && directory.updatedAt === undefined ? "" : "stale"}`}>
          <span class="pulse" aria-hidden="true" />
          <span data-testid="live-state">
            {live
              ? "live"
              : directory.updatedAt === undefined
                ? directory.loading
                  ? "connecting"
                  : "no data"
                : "stale"}
          </span>
          <span class="faint">
            {directory.updatedAt === undefined ? "" : ` · updated ${formatAge(snapshot.now - directory.updatedAt)} ago`}
          </span>
        </div>
      </header>
      <StaleNotices snapshot={snapshot} />
      <Summary snapshot={snapshot} />
      <Topology snapshot={snapshot} />
      <div class="grid-2">
        <RatesPanel snapshot={snapshot} />
        <ActivityPanel snapshot={snapshot} />
      </div>
      <ChainPanel snapshot={snapshot} />
      <ServicesPanel snapshot={snapshot} />
      <footer class="faint">
        Data from this directory's API and, through it, the validators' CometBFT RPC. Nodes the directory stops listing
        stay here, marked down, for ten minutes.
      </footer>
    </div>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
