import { failed, passed, type CheckResult } from './check.js';
import { compareVersions, MINIMUM_NODE } from './versions.js';

export function checkNode(version: string = process.versions.node): CheckResult {
  if (compareVersions(version, MINIMUM_NODE) >= 0) return passed('node', `Node ${version}`);
  return failed(
    'node',
    `Node ${version} is older than ${MINIMUM_NODE}`,
    'run `eval "$(tools/bootstrap --env)"` to use the project toolchain',
  );
}
