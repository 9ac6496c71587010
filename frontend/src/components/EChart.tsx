import { BarChart, LineChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** Which bar was clicked: its series and its place on the category axis. */
export type ChartClick = { seriesIndex: number; dataIndex: number };

/** A plain ECharts canvas that follows its container's size; `onClick` hears clicks on bars. */
export function EChart({ option, height = 300, label, onClick }: { option: ChartOption; height?: number; label: string; onClick?: (at: ChartClick) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    chart.current = echarts.init(ref.current, undefined, { renderer: "canvas" });
    const ro = typeof ResizeObserver !== "undefined" ? new ResizeObserver(() => chart.current?.resize()) : null;
    ro?.observe(ref.current);
    return () => {
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, ...option }, true);
  }, [option]);
  useEffect(() => {
    const current = chart.current;
    if (!current || !onClick) return;
    const listener = (p: { seriesIndex?: number; dataIndex?: number }) => onClick({ seriesIndex: p.seriesIndex ?? 0, dataIndex: p.dataIndex ?? 0 });
    current.on("click", listener);
    return () => {
      current.off("click", listener);
    };
  }, [onClick]);
  return <div ref={ref} role="img" aria-label={label} style={{ width: "100%", height }} />;
}
