import { isAbsolute } from 'node:path';
import { ForgeKind, ReviewTrigger, clone, create, RepoPolicySchema, RepoSettingsSchema, type RepoSettings } from '@cohort/contracts';

export interface SettingsProblem {
  readonly message: string;
  /** JSON path of the offending field within the command, e.g. `settings.defaultBranch`. */
  readonly field: string;
}

export type ValidatedSettings =
  { readonly ok: true; readonly settings: RepoSettings } | { readonly ok: false; readonly problem: SettingsProblem };

export interface SettingsEnvironment {
  /** Whether a local path is an existing directory (the repository to work on). */
  readonly isDirectory: (path: string) => boolean;
  /** Template ids a repository may pick as its default. */
  readonly templateIds: readonly string[];
}

/** Repo ids travel in subjects, branch names and secret scopes: one safe token. */
export const REPO_ID = /^[A-Za-z0-9_-]{1,100}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
const AGENT = /^[a-z][a-z0-9-]{0,63}$/;
const GIT_URL = /^(?:(?:https?|ssh|git):\/\/[^\s/]+\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/;
const MAX_CONCURRENCY = 64;
const MAX_COMMAND_LENGTH = 4000;

/** The repo id a name gives: "Acme/Web.App" becomes "acme-web-app". */
export function repoIdFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

/**
 * Checks a repository's settings and fills in the defaults (branch `main`, the
 * forge implied by the URL), so that every event carries complete settings.
 */
export function validateRepoSettings(given: RepoSettings, env: SettingsEnvironment): ValidatedSettings {
  const fail = (field: string, message: string): ValidatedSettings => ({ ok: false, problem: { field: `settings.${field}`, message } });
  const settings = clone(RepoSettingsSchema, given);

  settings.name = settings.name.trim();
  if (!NAME.test(settings.name) || repoIdFromName(settings.name) === '') {
    return fail(
      'name',
      `name ${JSON.stringify(given.name)} is invalid: use letters, digits, ".", "_", "-" and "/", starting with a letter or digit (at most 200), e.g. "acme/web"`,
    );
  }

  settings.url = settings.url.trim();
  const localPath = settings.url.startsWith('file://') ? decodeURIComponent(settings.url.slice('file://'.length)) : settings.url;
  const isLocal = !GIT_URL.test(settings.url);
  if (isLocal) {
    if (!isAbsolute(localPath)) {
      return fail(
        'url',
        `url ${JSON.stringify(given.url)} is neither an absolute local path nor a git URL (https://, ssh://, git:// or user@host:path)`,
      );
    }
    if (!env.isDirectory(localPath))
      return fail('url', `url ${JSON.stringify(given.url)} is a local path that does not exist or is not a directory`);
  }

  if (settings.forge === ForgeKind.UNSPECIFIED) {
    if (isLocal) settings.forge = ForgeKind.LOCAL;
    else if (/github\.com[/:]/.test(settings.url)) settings.forge = ForgeKind.GITHUB;
    else return fail('forge', `forge is required for ${JSON.stringify(settings.url)}: use LOCAL or GITHUB`);
  } else if (settings.forge !== ForgeKind.LOCAL && settings.forge !== ForgeKind.GITHUB) {
    return fail('forge', `forge ${String(settings.forge)} is unknown: use LOCAL or GITHUB`);
  }

  settings.defaultBranch = settings.defaultBranch.trim() || 'main';
  if (!isBranchName(settings.defaultBranch)) {
    return fail('defaultBranch', `defaultBranch ${JSON.stringify(given.defaultBranch)} is not a valid git branch name`);
  }

  if (settings.ciCommand.length > MAX_COMMAND_LENGTH) return fail('ciCommand', `ciCommand is longer than ${MAX_COMMAND_LENGTH} characters`);
  settings.ciCommand = settings.ciCommand.trim();
  for (const [index, command] of settings.setupCommands.entries()) {
    if (command.trim() === '') return fail(`setupCommands[${index}]`, `setupCommands[${index}] is empty; remove it or give a command`);
    if (command.length > MAX_COMMAND_LENGTH)
      return fail(`setupCommands[${index}]`, `setupCommands[${index}] is longer than ${MAX_COMMAND_LENGTH} characters`);
  }

  const policy = settings.policy ?? create(RepoPolicySchema, {});
  settings.policy = policy;
  if (policy.cautious && policy.autoMerge) {
    return fail(
      'policy.autoMerge',
      'policy.autoMerge and policy.cautious contradict each other: cautious repos merge only on ApproveMerge',
    );
  }
  const review = policy.reviewAgent;
  if (review?.enabled) {
    if (review.agent !== '' && !AGENT.test(review.agent)) {
      return fail('policy.reviewAgent.agent', `policy.reviewAgent.agent ${JSON.stringify(review.agent)} is not an agent name`);
    }
    if (review.trigger === ReviewTrigger.UNSPECIFIED) review.trigger = ReviewTrigger.ON_CHECKS_PASSED;
  }

  if (settings.maxConcurrency > MAX_CONCURRENCY) {
    return fail(
      'maxConcurrency',
      `maxConcurrency ${settings.maxConcurrency} is too high: use 0 (installation default) to ${MAX_CONCURRENCY}`,
    );
  }
  if (settings.defaultAgent !== '' && !AGENT.test(settings.defaultAgent)) {
    return fail(
      'defaultAgent',
      `defaultAgent ${JSON.stringify(settings.defaultAgent)} is not an agent name: use lower-case letters, digits and "-"`,
    );
  }
  if (settings.defaultTemplate !== '' && !env.templateIds.includes(settings.defaultTemplate)) {
    return fail(
      'defaultTemplate',
      `defaultTemplate ${JSON.stringify(settings.defaultTemplate)} does not exist; known templates: ${env.templateIds.join(', ') || 'none'}`,
    );
  }
  return { ok: true, settings };
}

/** The rules of `git check-ref-format --branch`, in short. */
function isBranchName(name: string): boolean {
  return (
    /^[A-Za-z0-9._/-]+$/.test(name) &&
    !name.startsWith('-') &&
    !name.startsWith('/') &&
    !name.endsWith('/') &&
    !name.endsWith('.') &&
    !name.endsWith('.lock') &&
    !name.includes('..') &&
    !name.includes('//') &&
    !name.split('/').some((part) => part.startsWith('.'))
  );
}
