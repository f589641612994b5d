/** The outcome of one environment check; a failed one always says how to fix it. */
export type CheckResult =
  | { readonly name: string; readonly ok: true; readonly detail: string }
  | { readonly name: string; readonly ok: false; readonly detail: string; readonly fix: string };

export const passed = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });
export const failed = (name: string, detail: string, fix: string): CheckResult => ({ name, ok: false, detail, fix });
