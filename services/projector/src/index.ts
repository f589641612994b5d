export { readProjectorConfig, type ProjectorConfig } from './config.js';
export { startProjector, type RunningService, type StartOptions } from './start-projector.js';
