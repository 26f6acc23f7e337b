// Prettier (`npm run format`, `npm run format:check`), set to the style the code already has.
// printWidth 170: of the widths tried (100–200), the one that reformats the fewest files (69 of 175
// .ts/.mjs files at the time of measurement; 100 would touch 138). Markdown is left alone
// (.prettierignore): Prettier would re-pad every table and rewrite emphasis in all nine documents.
/** @type {import('prettier').Config} */
export default {
  printWidth: 170,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: true,
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  endOfLine: 'lf',
  overrides: [
    // Compose files and manifests quote their strings with double quotes.
    { files: ['*.yml', '*.yaml'], options: { singleQuote: false } },
  ],
};
