/** A few line icons (Lucide's shapes), inline so that nothing loads from elsewhere and no emoji font is needed. */
const PATHS: Record<string, string[]> = {
  pencil: ["M21.17 6.81a2.83 2.83 0 0 0-4-4L3.84 16.17a2 2 0 0 0-.5.83l-1.32 4.35a.5.5 0 0 0 .62.62l4.35-1.32a2 2 0 0 0 .83-.5z", "m15 5 4 4"],
  list: ["M3 12h.01", "M3 18h.01", "M3 6h.01", "M8 12h13", "M8 18h13", "M8 6h13"],
  lightbulb: ["M15 14c.2-1 .7-1.7 1.5-2.5 1-.9 1.5-2.2 1.5-3.5A6 6 0 0 0 6 8c0 1 .2 2.2 1.5 3.5.7.7 1.3 1.5 1.5 2.5", "M9 18h6", "M10 22h4"],
  trash: ["M3 6h18", "M19 6v14c0 1-1 2-2 2H7c-1 0-2-1-2-2V6", "M8 6V4c0-1 1-2 2-2h4c1 0 2 1 2 2v2"],
  check: ["M20 6 9 17l-5-5"],
  circle: ["M22 12a10 10 0 1 1-20 0a10 10 0 1 1 20 0"],
  "check-circle": ["M22 12a10 10 0 1 1-20 0a10 10 0 1 1 20 0", "m9 12 2 2 4-4"],
  x: ["M18 6 6 18", "m6 6 12 12"],
  plus: ["M5 12h14", "M12 5v14"],
  dot: ["M12 12h.01"],
};

export function Icon({ name, size = 16 }: { name: string; size?: number }) {
  const paths = PATHS[name] ?? PATHS.dot;
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden focusable="false" className="svg-icon">
      {paths.map((d) => <path key={d} d={d} />)}
    </svg>
  );
}

/** Maps ChatKit icon names (built-in or "lucide:<name>") onto the icons above. */
export function iconFor(chatkitIcon: unknown): string {
  const name = String(chatkitIcon ?? "").replace(/^lucide:/, "");
  if (name.includes("pencil") || name.startsWith("write")) return "pencil";
  if (name.includes("list")) return "list";
  if (name.includes("lightbulb")) return "lightbulb";
  if (name.includes("check") && name.includes("circle")) return "check-circle";
  if (name.includes("check")) return "check";
  if (name.includes("circle")) return "circle";
  if (name.includes("plus")) return "plus";
  if (name.includes("trash") || name.includes("delete")) return "trash";
  return "dot";
}
