import { Grid } from "antd";

/** Phone layout below antd's `md` breakpoint (768 px): cards instead of tables, a bottom bar. */
export function useIsMobile(): boolean {
  const screens = Grid.useBreakpoint();
  if (screens.md === undefined) return typeof window !== "undefined" && window.innerWidth < 768;
  return !screens.md;
}
