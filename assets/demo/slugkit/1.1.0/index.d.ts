export interface SlugifyOptions {
	/** String put between words. Default: `'-'`. */
	separator?: string;
	/** Lower-case the result. Default: `true`. */
	lower?: boolean;
}

declare function slugify(input: string, options?: SlugifyOptions): string;

declare namespace slugify {
	export { slugify, slugify as default };
}

export = slugify;
