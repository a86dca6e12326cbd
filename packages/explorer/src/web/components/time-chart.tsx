import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartLine {
  label: string;
  color: string;
  values: number[];
  /** Draw as bars (counts per bucket) instead of a line. */
  bars?: boolean;
  /** Dashed line, for a secondary quantity. */
  dashed?: boolean;
}

export interface TimeChartProps {
  /** Unix seconds. */
  times: number[];
  lines: ChartLine[];
  /** Unit shown on the y axis. */
  unit: string;
  height?: number;
  testId?: string;
  /** Tick labels of the time axis: with seconds (a few minutes of data) or without (an hour). */
  ticks?: "seconds" | "minutes";
}

const pad = (n: number) => String(n).padStart(2, "0");
const tickLabel = (seconds: boolean) => (unixSeconds: number) => {
  const d = new Date(unixSeconds * 1000);
  return seconds
    ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

const AXIS = { stroke: "#8b96a8", grid: { stroke: "rgba(139,150,168,0.12)", width: 1 }, ticks: { show: false } };

/**
 * A uPlot time chart that follows its container's width. The plot is created once per set of lines and fed new data
 * on every render, so a refresh does not rebuild the canvas.
 */
export function TimeChart({ times, lines, unit, height = 220, testId, ticks = "seconds" }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = lines.map((l) => `${l.label}:${l.bars ? "b" : "l"}`).join("|");
  const data = [times, ...lines.map((l) => l.values)] as uPlot.AlignedData;

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const barPaths = uPlot.paths.bars?.({ size: [0.7, 48], gap: 2 });
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
      axes: [
        {
          ...AXIS,
          font: "12px system-ui, sans-serif",
          space: ticks === "seconds" ? 70 : 50,
          values: (_u, splits) => splits.map(tickLabel(ticks === "seconds")),
        },
        {
          ...AXIS,
          size: 56,
          label: unit,
          labelSize: 18,
          labelFont: "12px system-ui, sans-serif",
          font: "12px system-ui, sans-serif",
        },
      ],
      series: [
        { label: "time", value: (_u, v) => (v == null ? "—" : tickLabel(ticks === "seconds")(v)) },
        ...lines.map(
          (l): uPlot.Series => ({
            label: l.label,
            stroke: l.color,
            width: l.bars ? 1 : 2,
            fill: l.bars ? `${l.color}cc` : `${l.color}1f`,
            ...(l.dashed ? { dash: [6, 4], fill: undefined } : {}),
            ...(l.bars && barPaths ? { paths: barPaths, points: { show: false } } : { points: { show: false } }),
            value: (_u, v) => (v == null ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(2)),
          }),
        ),
      ],
    };
    const created = new uPlot(options, data, element);
    plot.current = created;
    const resize = new ResizeObserver(() => created.setSize({ width: Math.max(200, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
    // The plot is rebuilt only when the set of lines changes; data goes in below.
  }, [shape, height, unit, ticks]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return <div class="chart" ref={host} data-testid={testId} />;
}
