/** The demo repository: one failing test, and a playbook whose first attempt fails CI and whose resume fixes it. */
export const DEMO_FILES: Readonly<Record<string, string>> = {
  'README.md': `# Cohort demo

A tiny project for trying Cohort on one machine. Its one test, \`sh ci.sh\`,
fails: the greeting should name Cohort. Ask an agent to fix it.
`,
  'greeting.txt': 'Hello, world\n',
  'ci.sh': `#!/bin/sh
# The demo's test: the greeting must name Cohort.
if grep -q 'Hello, Cohort' greeting.txt; then
  echo "ok - greeting names Cohort"
else
  echo "not ok - greeting.txt should say 'Hello, Cohort', it says: $(cat greeting.txt)"
  exit 1
fi
`,
  '.cohort/playbook.yaml': `# Played by the scripted agent: the first attempt gets the greeting wrong, so CI
# fails and Cohort resumes the agent with the failing output; the resume fixes it.
initial:
  - print: Reading the task and the failing test
    delay_ms: 100
  - write:
      path: greeting.txt
      content: "Hello, there\\n"
  - print: Updated greeting.txt
  - usage: { input_tokens: 1200, output_tokens: 300, model: scripted-1 }

resume:ci_failure:
  - print: CI says the greeting must name Cohort; fixing it
  - patch: { path: greeting.txt, find: "Hello, there", replace: "Hello, Cohort" }
  - run: sh ci.sh
  - usage: { input_tokens: 400, cached_input_tokens: 1200, output_tokens: 80, model: scripted-1 }

resume:review:
  - print: Addressing the review comments
  - append: { path: greeting.txt, content: "Welcome aboard.\\n" }

resume:conflict:
  - print: Rebasing onto the new base
  - run: git fetch origin && git rebase origin/main || git rebase --abort

review:
  - review: { verdict: approve, body: Looks good. }

default:
  - print: nothing to do for this run
`,
};

export const DEMO_CI_COMMAND = 'sh ci.sh';
