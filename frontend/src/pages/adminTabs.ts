import type { Perm } from "../api/client";

/**
 * The tabs of the administration page and the permission that opens each one (the page and its
 * menu entry show when at least one tab does). Kept apart from the lazily loaded page, so the
 * menu can ask without loading it.
 */
export const ADMIN_TABS = [
  { key: "units", perm: "org.manage" },
  { key: "users", perm: "user.read" },
  { key: "grants", perm: "grant.read" },
  { key: "audit", perm: "audit.read" },
  { key: "chasing", perm: "chasing.manage" },
] as const satisfies readonly { key: string; perm: Perm }[];

export type AdminTab = (typeof ADMIN_TABS)[number]["key"];

export function adminTabsFor(can: (perm: Perm) => boolean): AdminTab[] {
  return ADMIN_TABS.filter((tab) => can(tab.perm)).map((tab) => tab.key);
}
