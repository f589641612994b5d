import { readDashboardConfig } from './lib/server/config.js';

// Fail at start-up, not on the first page view, when the configuration is wrong.
readDashboardConfig(process.env);
