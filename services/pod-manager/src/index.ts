export { readPodManagerConfig, type PodManagerConfig } from './config.js';
export { startPodManager, POD_MANAGER_SERVICE, type PodManagerHandle, type StartOptions } from './start-pod-manager.js';
