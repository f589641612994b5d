// The dashboard holds its token in the browser, so every page renders there.
export const ssr = false;
export const prerender = false;
