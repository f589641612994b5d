/** Compares dotted versions ("2.9.10", "v24.9.0"); returns <0, 0 or >0. Missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[.+-]/)
      .slice(0, 3)
      .map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export const MINIMUM_NODE = '24.0.0';
export const MINIMUM_NATS_SERVER = '2.9.0';
