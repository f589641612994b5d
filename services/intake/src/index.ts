export { readIntakeConfig, type IntakeConfig } from './config.js';
export { startIntake, type RunningService, type StartOptions } from './start-intake.js';
export { IntakeModule, IntakeInboxModule, INTAKE_SERVICE } from './intake.module.js';
export { INTAKE_COMMANDS } from './intake-commands.js';
export { taskIdForRequest } from './inbound/task-requested.controller.js';
export { repoIdFromName, validateRepoSettings } from './repos/repo-settings.js';
