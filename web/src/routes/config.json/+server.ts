import { json } from '@sveltejs/kit';
import { readDashboardConfig } from '../../lib/server/config.js';

/** The browser reads the gateway's URL here at run time, so one build serves any deployment. */
export function GET() {
  const config = readDashboardConfig(process.env);
  return json({ gatewayUrl: config.gatewayUrl }, { headers: { 'cache-control': 'no-store' } });
}
