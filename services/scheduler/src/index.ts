export { readSchedulerConfig, type SchedulerConfig } from './config.js';
export { startScheduler, type RunningScheduler, type StartSchedulerOptions } from './start-scheduler.js';
export { SchedulerModule } from './scheduler.module.js';
export type { ActiveTask } from './active-task.js';
export type { Heartbeat } from './heartbeat.js';
