// Chart text comes from user data (series names, labels), so everything
// that goes into markup is escaped here and nowhere else.
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function round(n) {
  return typeof n === 'number' ? Math.round(n * 100) / 100 : n;
}

export function el(name, attrs, children) {
  let s = '<' + name;
  for (const key of Object.keys(attrs || {})) {
    const v = attrs[key];
    if (v !== undefined && v !== null && v !== false) {
      s += ' ' + key + '="' + escape(round(v)) + '"';
    }
  }
  if (children === undefined || children === null || children === '') {
    return s + '/>';
  }
  return s + '>' + (Array.isArray(children) ? children.join('') : children) + '</' + name + '>';
}

export function svg(width, height, children, title) {
  return el('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: '0 0 ' + width + ' ' + height,
    role: 'img'
  }, [title ? el('title', {}, escape(title)) : ''].concat(children));
}
