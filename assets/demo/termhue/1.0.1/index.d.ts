type StyleName =
  | 'bold' | 'dim' | 'italic' | 'underline' | 'inverse'
  | 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray'
  | 'redBright' | 'greenBright' | 'yellowBright' | 'blueBright' | 'magentaBright' | 'cyanBright' | 'whiteBright'
  | 'bgBlack' | 'bgRed' | 'bgGreen' | 'bgYellow' | 'bgBlue' | 'bgMagenta' | 'bgCyan' | 'bgWhite';

type Styler = ((...text: unknown[]) => string) & { readonly [K in StyleName]: Styler } & {
  rgb(r: number, g: number, b: number): Styler;
  hex(hex: string): Styler;
};

interface Hue extends Readonly<Record<StyleName, Styler>> {
  /** Whether escapes are emitted; may be changed at run time. */
  enabled: boolean;
  rgb(r: number, g: number, b: number): Styler;
  hex(hex: string): Styler;
  /** A new instance; `enabled` forces colour on or off. */
  create(enabled?: boolean): Hue;
}

declare const hue: Hue;
export = hue;
