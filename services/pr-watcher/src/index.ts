export { readPrWatcherConfig, type PrWatcherConfig } from './config.js';
export { startPrWatcher, type PrWatcherHandle, type StartOptions } from './start-pr-watcher.js';
export { PR_WATCHER_SERVICE } from './pr-watcher.module.js';
export { PR_WATCHER_COMMANDS } from './pr-watcher-commands.js';
