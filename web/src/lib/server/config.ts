/** The dashboard server's settings, read from the environment. */
export interface DashboardConfig {
  /**
   * The gateway's GraphQL endpoint as the browser reaches it (`COHORT_GATEWAY_URL`).
   * @default 'http://127.0.0.1:4000/graphql'
   */
  readonly gatewayUrl: string;
}

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:4000/graphql';

/** Reads and validates the config; a bad value throws naming the variable. */
export function readDashboardConfig(env: Record<string, string | undefined>): DashboardConfig {
  const raw = env.COHORT_GATEWAY_URL?.trim() || DEFAULT_GATEWAY_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`COHORT_GATEWAY_URL must be an absolute http(s) URL such as ${DEFAULT_GATEWAY_URL}; got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`COHORT_GATEWAY_URL must use http or https; got "${raw}"`);
  }
  return { gatewayUrl: url.toString() };
}
