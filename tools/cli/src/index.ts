export { runDoctor } from './commands/doctor.js';
