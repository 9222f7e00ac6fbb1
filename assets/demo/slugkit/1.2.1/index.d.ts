declare function slugify(input: string, options?: slugify.SlugifyOptions): string;

declare namespace slugify {
	export interface SlugifyOptions {
		/** String put between words. Default: `'-'`. */
		separator?: string;
		/** Lower-case the result. Default: `true`. */
		lower?: boolean;
		/**
		 * Pairs of [search, replacement] applied before anything else.
		 * Default: `[['&', ' and '], ['%', ' percent '], ['@', ' at ']]`.
		 */
		replacements?: Array<[string, string]>;
	}
	export { slugify, slugify as default };
}

export = slugify;
