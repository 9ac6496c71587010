import { useCallback, useMemo } from "react";

/** A form draft kept in sessionStorage (this tab only), so a reload or re-login loses nothing typed. */
export function useDraft<T extends object>(key: string) {
  const storageKey = `liandong.draft.${key}`;
  const initial = useMemo<Partial<T> | undefined>(() => {
    try {
      const raw = window.sessionStorage.getItem(storageKey);
      return raw ? (JSON.parse(raw) as Partial<T>) : undefined;
    } catch {
      return undefined;
    }
  }, [storageKey]);
  const save = useCallback(
    (values: Partial<T>) => {
      try {
        window.sessionStorage.setItem(storageKey, JSON.stringify(values));
      } catch {
        /* storage full or unavailable */
      }
    },
    [storageKey],
  );
  const clear = useCallback(() => {
    try {
      window.sessionStorage.removeItem(storageKey);
    } catch {
      /* ignore */
    }
  }, [storageKey]);
  return { initial, save, clear };
}
