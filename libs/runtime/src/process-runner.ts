import { spawnTree, type ProcessTree, type SpawnTreeOptions } from './spawn-tree.js';

/**
 * Starts agent processes in a workspace. Local workspaces spawn process trees on this
 * machine; a Kubernetes runtime implements the same contract with an exec into the pod.
 */
export interface ProcessRunner {
  spawn(command: string, args: readonly string[], options: SpawnTreeOptions): ProcessTree;
}

export const localProcessRunner: ProcessRunner = { spawn: spawnTree };
