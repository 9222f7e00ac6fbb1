'use strict';

/**
 * Compiles "/users/:id/*" into a RegExp and the list of param names.
 * ":name" matches one segment, a final "*" matches the rest of the path.
 */
function compile(pattern) {
  const keys = [];
  let source = '';
  const parts = pattern.split('/').filter(Boolean);
  parts.forEach((part, i) => {
    if (part === '*' && i === parts.length - 1) {
      keys.push('*');
      source += '(?:/(.*))?';
    } else if (part.startsWith(':')) {
      keys.push(part.slice(1));
      source += '/([^/]+)';
    } else {
      source += '/' + part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  });
  return { keys, re: new RegExp('^' + (source || '/') + '$') };
}

function parseQuery(search) {
  const query = {};
  for (const [k, v] of new URLSearchParams(search)) {
    query[k] = k in query ? [].concat(query[k], v) : v;
  }
  return query;
}

/** An in-memory history for tests and server rendering. */
function createMemoryHistory(initial) {
  const entries = [initial || '/'];
  let index = 0;
  return {
    get location() {
      return entries[index];
    },
    push(url) {
      entries.splice(index + 1, entries.length, url);
      index = entries.length - 1;
    },
    replace(url) {
      entries[index] = url;
    },
    back() {
      index = Math.max(0, index - 1);
    }
  };
}

function createBrowserHistory() {
  return {
    get location() {
      return window.location.pathname + window.location.search;
    },
    push(url) {
      window.history.pushState(null, '', url);
    },
    replace(url) {
      window.history.replaceState(null, '', url);
    },
    back() {
      window.history.back();
    }
  };
}

/**
 * createRouter({ home: '/', user: '/users/:id' }, { history })
 */
function createRouter(routes, options) {
  const history = (options && options.history) ||
    (typeof window !== 'undefined' ? createBrowserHistory() : createMemoryHistory());
  const table = Object.keys(routes).map((name) => Object.assign({ name, pattern: routes[name] }, compile(routes[name])));
  const listeners = new Set();

  function match(url) {
    const [path, search] = url.split('?');
    for (const route of table) {
      const m = route.re.exec(path);
      if (m) {
        const params = {};
        route.keys.forEach((k, i) => {
          params[k] = m[i + 1] === undefined ? '' : decodeURIComponent(m[i + 1]);
        });
        return { name: route.name, params, query: parseQuery(search || '') };
      }
    }
    return null;
  }

  function href(name, params) {
    const route = table.find((r) => r.name === name);
    if (!route) {
      throw new Error('@acme/router: unknown route ' + JSON.stringify(name));
    }
    const p = params || {};
    const url = route.pattern.replace(/:(\w+)|\*$/g, (all, key) => {
      const v = key ? p[key] : p['*'];
      if (v === undefined) {
        if (!key) {
          return '';
        }
        throw new Error('@acme/router: missing param ' + key + ' for ' + name);
      }
      return key ? encodeURIComponent(v) : String(v).split('/').map(encodeURIComponent).join('/');
    });
    return url.length > 1 ? url.replace(/\/+$/, '') : url;
  }

  function notify() {
    const current = match(history.location);
    listeners.forEach((fn) => fn(current));
  }

  return {
    match,
    href,
    get current() {
      return match(history.location);
    },
    navigate(name, params, opts) {
      const url = href(name, params);
      if (opts && opts.replace) {
        history.replace(url);
      } else {
        history.push(url);
      }
      notify();
      return url;
    },
    back() {
      history.back();
      notify();
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    }
  };
}

module.exports = { createRouter, createMemoryHistory };
