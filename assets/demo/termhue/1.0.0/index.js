/*! termhue | MIT License | Mara Kovac */
'use strict';

// Escapes are written as \u001B on purpose: the source itself stays free of
// raw control bytes, so it is safe to cat, diff and review.
const ESC = '\u001B[';

const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  inverse: [7, 27],
  black: [30, 39],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
  gray: [90, 39],
  redBright: [91, 39],
  greenBright: [92, 39],
  yellowBright: [93, 39],
  blueBright: [94, 39],
  magentaBright: [95, 39],
  cyanBright: [96, 39],
  whiteBright: [97, 39],
  bgBlack: [40, 49],
  bgRed: [41, 49],
  bgGreen: [42, 49],
  bgYellow: [43, 49],
  bgBlue: [44, 49],
  bgMagenta: [45, 49],
  bgCyan: [46, 49],
  bgWhite: [47, 49]
};

// Colour is on for an interactive terminal unless NO_COLOR is set
// (see no-color.org); FORCE_COLOR wins over both. Browsers get no colour.
function detectEnabled() {
  if (typeof process === 'undefined' || !process.env) {
    return false;
  }
  const env = process.env;
  if ('FORCE_COLOR' in env) {
    return env.FORCE_COLOR !== '0';
  }
  if ('NO_COLOR' in env) {
    return false;
  }
  return Boolean(process.stdout && process.stdout.isTTY) && env.TERM !== 'dumb';
}

function parseHex(hex) {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex);
  if (!m) {
    throw new TypeError('termhue: invalid hex colour ' + JSON.stringify(hex));
  }
  let h = m[1];
  if (h.length === 3) {
    h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
  }
  const n = parseInt(h, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function clampByte(v) {
  return Math.max(0, Math.min(255, Math.round(Number(v) || 0)));
}

function createHue(enabled) {
  const hue = {
    enabled: enabled === undefined ? detectEnabled() : Boolean(enabled)
  };

  function build(stack) {
    const fn = (...args) => {
      const text = args.join(' ');
      if (!hue.enabled || text === '') {
        return text;
      }
      let open = '';
      let close = '';
      let body = text;
      for (const [o, c] of stack) {
        const openCode = ESC + o + 'm';
        const closeCode = ESC + c + 'm';
        // A nested call closes with the same code as ours ("39m" resets any
        // foreground colour), so re-open our style right after it; otherwise
        // hue.red('a ' + hue.blue('b') + ' c') would print " c" uncoloured.
        body = body.split(closeCode).join(closeCode + openCode);
        open += openCode;
        close = closeCode + close;
      }
      return open + body + close;
    };
    for (const name of Object.keys(STYLES)) {
      Object.defineProperty(fn, name, {
        get: () => build(stack.concat([STYLES[name]]))
      });
    }
    fn.rgb = (r, g, b) => build(stack.concat([rgbStyle(r, g, b)]));
    fn.hex = (hex) => fn.rgb(...parseHex(hex));
    return fn;
  }

  // 24-bit colour: every modern terminal understands it, and those that do
  // not ignore the sequence rather than print garbage.
  function rgbStyle(r, g, b) {
    return ['38;2;' + clampByte(r) + ';' + clampByte(g) + ';' + clampByte(b), 39];
  }

  for (const name of Object.keys(STYLES)) {
    Object.defineProperty(hue, name, {
      enumerable: true,
      get: () => build([STYLES[name]])
    });
  }
  hue.rgb = (r, g, b) => build([rgbStyle(r, g, b)]);
  hue.hex = (hex) => hue.rgb(...parseHex(hex));
  hue.create = createHue;
  return hue;
}

module.exports = createHue();
