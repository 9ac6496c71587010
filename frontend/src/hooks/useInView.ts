import { useEffect, useRef, useState, type RefObject } from "react";

/**
 * Whether the element has come within MARGIN of the viewport. Sticky: once seen it stays true, so
 * scrolling back and forth does not start and stop work. Without IntersectionObserver it is true.
 */
export function useInView<T extends Element>(margin = "200px"): [RefObject<T>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === "undefined");
  useEffect(() => {
    if (seen || !ref.current || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setSeen(true);
          observer.disconnect();
        }
      },
      { rootMargin: margin },
    );
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [seen, margin]);
  return [ref, seen];
}
