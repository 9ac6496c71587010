import { useEffect, useState } from "react";
import { onConnectivity } from "../api/http";

/** False while the browser is offline or the last API call could not reach the server. */
export function useOnline(): boolean {
  const [browserOnline, setBrowserOnline] = useState(() => (typeof navigator === "undefined" ? true : navigator.onLine));
  const [reachable, setReachable] = useState(true);
  useEffect(() => {
    const up = () => setBrowserOnline(true);
    const down = () => setBrowserOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    const off = onConnectivity(setReachable);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
      off();
    };
  }, []);
  return browserOnline && reachable;
}
