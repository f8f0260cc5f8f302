/** Names the browser tab after the page ("Runs · Switchboard"), so tabs and history read well. */
import { useEffect } from "react";

export function usePageTitle(title: string | null | undefined) {
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = `${title} · Switchboard`;
    return () => {
      document.title = before;
    };
  }, [title]);
}
