/** A value that follows another once it has stopped changing for `delay` ms (search boxes ask the server less). */
import { useEffect, useState } from "react";

export function useDebounced<T>(value: T, delay: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}
