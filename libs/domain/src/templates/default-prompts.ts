import type { TemplateDeclaration } from './params.js';

/**
 * Prompts Cohort ships. Variables are filled by `promptForRun`; every one of
 * them is documented on the declaration so operators can override the text.
 */
export const INITIAL_REPO_TASK_PROMPT = `You are working on the repository {{ repo }}, on the branch \`{{ branch }}\` created from \`{{ baseBranch }}\`.

# Task: {{ title }}

{{ prompt }}

When you are done, commit your changes on \`{{ branch }}\` with a clear message and push.
{{#if issueNumber}}The pull request will reference the issue: Closes #{{ issueNumber }}.
{{/if}}Do not open the pull request yourself; Cohort opens it from your branch.`;

export const INITIAL_STANDALONE_TASK_PROMPT = `# Task: {{ title }}

{{ prompt }}`;

export const RESUME_CI_FAILURE_PROMPT = `The checks on your pull request{{#if prNumber}} #{{ prNumber }}{{/if}} (branch \`{{ branch }}\`) failed.

{{#each failingChecks}}## Failing check: {{ name }}
{{#if outputTail}}\`\`\`
{{ outputTail }}
\`\`\`
{{else}}(no output captured)
{{/if}}
{{/each}}
Fix the cause, commit and push to \`{{ branch }}\`.`;

export const RESUME_REVIEW_PROMPT = `A review of your pull request{{#if prNumber}} #{{ prNumber }}{{/if}} requested changes.
{{#if reviewBody}}
{{ reviewBody }}
{{/if}}
{{#each comments}}- {{#if path}}{{ path }}{{#if line}}:{{ line }}{{/if}}: {{/if}}{{ body }}
{{/each}}
Address every comment, commit and push to \`{{ branch }}\`.`;

export const RESUME_CONFLICT_PROMPT = `Your branch \`{{ branch }}\` conflicts with \`{{ baseBranch }}\`{{#if baseSha}} (now at {{ baseSha }}){{/if}}.
{{#if files}}
Conflicting files:
{{#each files}}- {{ this }}
{{/each}}{{/if}}
Rebase onto \`{{ baseBranch }}\`, resolve the conflicts keeping the intent of both sides, run the tests, and push.`;

export const RESUME_USER_MESSAGE_PROMPT = `A message from {{#if by}}{{ by }}{{else}}the user{{/if}} about this task:

{{ message }}`;

export const REVIEW_AGENT_PROMPT = `Review pull request #{{ prNumber }} ("{{ title }}") in {{ repo }}, head {{ headSha }}, against \`{{ baseBranch }}\`.

Look for bugs, missing tests, security problems and unclear code. Report each finding as path:line and a short explanation.
End with exactly one verdict: APPROVED or CHANGES_REQUESTED.`;

/** A standalone template to copy: a recurring report with typed params. */
export const DEPENDENCY_REPORT_TEMPLATE: TemplateDeclaration = {
  id: 'dependency-report',
  title: 'Dependency report',
  description: 'Summarises outdated and vulnerable dependencies of a project.',
  params: [
    { name: 'project', type: 'string', required: true, description: 'Project or repository to inspect' },
    { name: 'ecosystem', type: 'enum', values: ['npm', 'pip', 'go', 'cargo'], default: 'npm', description: 'Package ecosystem' },
    { name: 'maxItems', type: 'number', default: 20, description: 'Most findings to list' },
    { name: 'includeDev', type: 'boolean', default: false, description: 'Include development dependencies' },
  ],
  body: `Write a dependency report for {{ project }} ({{ ecosystem }}).
List at most {{ maxItems }} findings, most severe first.
{{#if includeDev}}Include development dependencies.{{else}}Ignore development dependencies.{{/if}}
For each finding give the package, the current and latest version, and why it matters.`,
};

export const DEFAULT_TEMPLATES: Readonly<Record<string, TemplateDeclaration>> = {
  [DEPENDENCY_REPORT_TEMPLATE.id]: DEPENDENCY_REPORT_TEMPLATE,
};
