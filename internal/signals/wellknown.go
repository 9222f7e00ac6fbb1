package signals

// wellKnownNames are names a typosquat imitates: roughly the most depended
// upon npm packages, plus the targets of known squatting campaigns. An
// exact well-known name is never flagged itself.
func wellKnownNames() []string {
	return []string{
		"react", "react-dom", "react-is", "react-router", "react-router-dom", "react-redux", "redux", "preact",
		"vue", "vue-router", "vuex", "svelte", "angular", "next", "nuxt", "gatsby", "ember-source",
		"lodash", "lodash-es", "underscore", "ramda", "immer", "immutable",
		"axios", "node-fetch", "cross-fetch", "isomorphic-fetch", "got", "request", "superagent", "undici", "ky",
		"express", "koa", "fastify", "hapi", "body-parser", "cookie-parser", "cors", "helmet", "morgan", "multer",
		"express-session", "passport", "jsonwebtoken", "bcrypt", "bcryptjs", "crypto-js", "uuid", "nanoid", "shortid",
		"chalk", "colors", "kleur", "picocolors", "ansi-styles", "ansi-regex", "strip-ansi", "supports-color",
		"debug", "ms", "commander", "yargs", "minimist", "inquirer", "ora", "meow", "prompts", "cac",
		"dotenv", "cross-env", "rimraf", "mkdirp", "glob", "minimatch", "micromatch", "fast-glob", "globby", "chokidar",
		"fs-extra", "graceful-fs", "semver", "moment", "dayjs", "date-fns", "luxon",
		"typescript", "tslib", "ts-node", "@types/node", "@types/react", "esbuild", "webpack", "webpack-cli",
		"rollup", "vite", "parcel", "babel-core", "@babel/core", "@babel/runtime", "@babel/preset-env", "core-js",
		"regenerator-runtime", "eslint", "prettier", "tslint", "jest", "mocha", "chai", "sinon", "vitest", "ava",
		"nodemon", "pm2", "concurrently", "husky", "lint-staged", "postcss", "postcss-js", "autoprefixer",
		"tailwindcss", "sass", "node-sass", "less", "styled-components", "classnames", "clsx", "prop-types",
		"bluebird", "async", "rxjs", "q", "events", "eventemitter3", "ws", "socket.io", "socket.io-client",
		"mongoose", "mongodb", "mysql", "mysql2", "pg", "redis", "ioredis", "sequelize", "knex", "sqlite3", "prisma",
		"js-yaml", "yaml", "json5", "ajv", "joi", "yup", "zod", "validator", "qs", "query-string", "querystring",
		"cheerio", "jsdom", "puppeteer", "playwright", "sharp", "jimp", "canvas",
		"handlebars", "ejs", "pug", "mustache", "marked", "markdown-it", "highlight.js",
		"chart.js", "d3", "three", "jquery", "bootstrap", "font-awesome",
		"aws-sdk", "firebase", "stripe", "openai", "graphql", "apollo-server", "@apollo/client",
		"electron", "node-gyp", "node-addon-api", "bindings", "nan", "prebuild-install", "node-pre-gyp",
		"ethers", "web3", "bn.js", "bignumber.js", "big.js", "decimal.js", "base64-js", "buffer", "safe-buffer",
		"readable-stream", "inherits", "once", "through2", "pump", "string_decoder", "util-deprecate",
		"iconv-lite", "mime", "mime-types", "form-data", "follow-redirects", "proxy-agent", "http-proxy-agent",
		"https-proxy-agent", "tough-cookie", "cookie", "path-to-regexp", "escape-html", "serve-static",
		"source-map", "source-map-support", "acorn", "esprima", "estraverse", "terser", "uglify-js",
		"js-tokens", "js-cookie", "pako", "jszip", "archiver", "tar", "adm-zip", "xml2js", "fast-xml-parser",
		"winston", "pino", "bunyan", "log4js", "loglevel", "signale",
		"eslint-config-prettier", "eslint-plugin-react", "eslint-plugin-import", "object-assign",
		"deepmerge", "lru-cache", "p-limit", "p-map", "p-queue", "execa", "cross-spawn", "shelljs", "which",
		"open", "update-notifier", "boxen", "figlet", "cli-table3", "table", "listr2", "enquirer",
		"tinycolor2", "color", "color-name", "color-convert", "has-flag", "is-number", "is-promise",
		"left-pad", "event-stream", "flatmap-stream", "ua-parser-js", "coa", "rc", "eslint-scope",
		"nx", "@nx/devkit", "angular-cli", "@angular/core", "@vue/compiler-sfc", "vue-template-compiler",
		// Deep in most install trees: a release that starts depending on
		// one directly is routine, and each is a name worth imitating.
		// picomatch and safer-buffer sit within two edits of micromatch
		// and safe-buffer above: without them here, adopting them would
		// read as a typosquat.
		"picomatch", "anymatch", "readdirp", "glob-parent", "is-glob", "is-extglob", "braces", "fill-range",
		"to-regex-range", "fast-glob", "tinyglobby", "fdir", "merge2", "fastq", "reusify", "queue-microtask",
		"run-parallel", "@nodelib/fs.walk", "@nodelib/fs.stat", "@nodelib/fs.scandir", "ignore", "slash",
		"safer-buffer", "chalk-template", "yocto-queue", "p-locate", "locate-path", "find-up", "path-exists",
		"path-key", "shebang-command", "shebang-regex", "isexe", "signal-exit", "cliui", "wrap-ansi",
		"string-width", "emoji-regex", "eastasianwidth", "escalade", "get-caller-file", "y18n", "yargs-parser",
		"kind-of", "isarray", "is-fullwidth-code-point", "strip-json-comments", "strip-bom", "lilconfig",
		"magic-string", "estree-walker", "undici-types", "tinyexec", "consola", "defu", "pathe", "ofetch",
		"unplugin", "node-gyp-build", "detect-libc", "prebuildify", "napi-build-utils",
		"cookie-signature", "finalhandler", "encodeurl", "parseurl", "range-parser", "proxy-addr", "forwarded",
		"ipaddr.js", "media-typer", "utils-merge", "merge-descriptors", "array-flatten", "content-type",
		"content-disposition", "raw-body", "type-is", "statuses", "http-errors", "toidentifier",
		"setprototypeof", "on-finished", "negotiator", "accepts", "side-channel", "call-bind", "get-intrinsic",
		"has-symbols", "function-bind", "hasown", "call-bound", "es-define-property", "es-object-atoms", "es-set-tostringtag", "es-errors", "object-inspect", "define-properties",
		"htmlparser2", "domhandler", "domutils", "dom-serializer", "entities", "parse5", "css-select",
		"css-what", "nth-check", "boolbase", "dompurify", "sanitize-html", "tweetnacl", "bs58", "borsh",
		"@noble/hashes", "@noble/curves", "@solana/web3.js", "@metamask/sdk", "jose", "superjson",
		"zod-to-json-schema", "postcss-import", "postcss-nested", "postcss-selector-parser", "postcss-value-parser",
		"browserslist", "caniuse-lite", "electron-to-chromium", "node-releases", "update-browserslist-db",
		"@jridgewell/trace-mapping", "@jridgewell/sourcemap-codec", "picocolors", "nanoid", "tar-fs", "tar-stream",
	}
}
