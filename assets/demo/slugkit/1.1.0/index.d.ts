declare function slugify(input: string, options?: slugify.SlugifyOptions): string;

declare namespace slugify {
	export interface SlugifyOptions {
		/** String put between words. Default: `'-'`. */
		separator?: string;
		/** Lower-case the result. Default: `true`. */
		lower?: boolean;
	}
	export { slugify, slugify as default };
}

export = slugify;
