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
    return fn;
  }

  for (const name of Object.keys(STYLES)) {
    Object.defineProperty(hue, name, {
      enumerable: true,
      get: () => build([STYLES[name]])
    });
  }
  hue.create = createHue;
  return hue;
}

module.exports = createHue();
