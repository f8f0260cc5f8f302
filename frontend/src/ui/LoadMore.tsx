/** The button under a list read page by page: there while the server has another page, busy while it comes. */
import type { ReactNode } from "react";
import { Spinner } from "./Loading";

/** The part of a React Query infinite query the button needs. */
interface Paged {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

export function LoadMore({ pages, small = false, children = "Load more" }: { pages: Paged; small?: boolean; children?: ReactNode }) {
  if (!pages.hasNextPage) return null;
  return (
    <button
      type="button"
      className={small ? "button secondary small load-more" : "button secondary load-more"}
      onClick={() => void pages.fetchNextPage()}
      disabled={pages.isFetchingNextPage}
    >
      {pages.isFetchingNextPage && <Spinner small />}
      {children}
    </button>
  );
}
