// @ts-check
import { defineConfig } from 'astro/config';

// The Oopsie documentation: a static site, built into dist/.
// Pages read sources from the repository (the OpenAPI document of the REST routes),
// so the dev server may read files one level up.
/** Wraps every Markdown table in a scrolling box, so wide tables scroll instead of squeezing. */
function rehypeTableWrap() {
  const walk = (node) => {
    if (!node.children) return;
    node.children = node.children.map((child) => {
      walk(child);
      return child.type === 'element' && child.tagName === 'table'
        ? { type: 'element', tagName: 'div', properties: { className: ['table-wrap'] }, children: [child] }
        : child;
    });
  };
  return (tree) => walk(tree);
}

export default defineConfig({
  site: 'https://oopsie.dev',
  trailingSlash: 'ignore',
  build: { format: 'directory' },
  markdown: {
    shikiConfig: { theme: 'github-dark-dimmed', wrap: false },
    rehypePlugins: [rehypeTableWrap],
  },
  vite: {
    server: { fs: { allow: ['..'] } },
  },
});
