/** The lower-case name the read side uses for a proto enum value (`RunOutcome.TIMED_OUT` → `timed_out`); '' for UNSPECIFIED. */
export function enumName(values: Record<number, string>, value: number | undefined): string {
  if (value === undefined || value === 0) return '';
  return (values[value] ?? String(value)).toLowerCase();
}
