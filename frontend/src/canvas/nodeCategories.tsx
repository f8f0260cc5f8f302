/** How node categories look: their label in the palette, their colour and their icon. */
const CATEGORIES: Record<string, { label: string; order: number }> = {
  trigger: { label: "Triggers", order: 0 },
  transform: { label: "Transforms", order: 1 },
  action: { label: "Actions", order: 2 },
};

export function categoryLabel(category: string): string {
  return CATEGORIES[category]?.label ?? category.charAt(0).toUpperCase() + category.slice(1);
}

export function categoryOrder(category: string): number {
  return CATEGORIES[category]?.order ?? 10;
}

/** The CSS class carrying the category's colour (`--category-color`). */
export function categoryClass(category: string): string {
  return `category-${CATEGORIES[category] ? category : "other"}`;
}

const ICON_PATHS: Record<string, string> = {
  // A bolt: something happens.
  trigger: "M13 2 4 14h7l-1 8 9-12h-7z",
  // Two arrows: data is shaped.
  transform: "M4 7h13l-3-3M20 17H7l3 3",
  // A paper plane: something is sent.
  action: "M22 2 11 13M22 2l-7 20-4-9-9-4z",
  other: "M12 3v18M3 12h18",
};

export function CategoryIcon({ category }: { category: string }) {
  return (
    <svg className="category-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={ICON_PATHS[category] ?? ICON_PATHS.other} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
