/** Helpers for a tenant's brand colour, which can be anything from pale yellow to near black. */

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of `#rrggbb`; null for anything else. */
export function luminance(hex: string): number | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!match) return null;
  const [r, g, b] = match.slice(1).map((part) => channel(Number.parseInt(part, 16)));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

/** White or near-black, whichever reads better on `background`. */
export function textOn(background: string): string {
  const l = luminance(background);
  if (l === null) return '#ffffff';
  const onWhite = 1.05 / (l + 0.05);
  // 0.0672: the luminance of #1c2430 plus 0.05.
  const onDark = (l + 0.05) / 0.0672;
  return onWhite >= onDark ? '#ffffff' : '#1c2430';
}

export function isColour(value: string): boolean {
  return luminance(value) !== null;
}
