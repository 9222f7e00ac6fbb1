import tokensJson = require('./tokens.json');

type Tokens = typeof tokensJson;

declare const api: Tokens & {
  tokens: Tokens;
  /** Every token as a CSS custom property, e.g. `--acme-color-brand-500: #1f77b4;`. */
  cssVariables(prefix?: string): string;
};

export = api;
