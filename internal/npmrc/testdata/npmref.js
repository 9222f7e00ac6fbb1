// npmref.js loads a configuration with the installed npm's own
// @npmcli/config and npm-registry-fetch, for the npmdiff differential test.
// Input (stdin, JSON): {env, flags, cwd, keys, urls, pkgurls, registries}.
'use strict'
const { execSync } = require('node:child_process')
const path = require('node:path')
const N = process.env.STAGEGATE_NPM_DIR || path.join(execSync('npm root -g').toString().trim(), 'npm')
const Config = require(path.join(N, 'node_modules/@npmcli/config'))
const defs = require(path.join(N, 'node_modules/@npmcli/config/lib/definitions'))
const getAuth = require(path.join(N, 'node_modules/npm-registry-fetch/lib/auth.js'))
const { Buffer } = require('node:buffer')

const enc = (v) => {
  if (v === null) return { t: 'null' }
  if (v === undefined) return { t: 'undefined' }
  if (Array.isArray(v)) { try { return { t: 'array', s: String(v) } } catch { return { t: 'array', s: 'THROWS' } } }
  if (typeof v === 'object') { try { return { t: 'object', s: String(v) } } catch { return { t: 'object', s: 'THROWS' } } }
  return { t: typeof v, s: String(v) }
}

const main = async () => {
  const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'))
  const argv = ['node', 'npm']
  for (const [k, v] of Object.entries(input.flags || {})) argv.push(`--${k}=${v}`)
  const out = {}
  try {
    const conf = new Config({
      definitions: defs.definitions,
      shorthands: defs.shorthands,
      flatten: defs.flatten,
      nerfDarts: defs.nerfDarts,
      npmPath: '/nonexistent-npm-path',
      env: input.env,
      argv,
      cwd: input.cwd,
      execPath: '/nonexistent/bin/node',
      warn: false,
    })
    await conf.load()
    conf.validate()
    out.get = {}
    for (const k of input.keys || []) out.get[k] = enc(conf.get(k))
    const flat = conf.flat
    out.auth = {}
    for (const u of input.urls || []) {
      try {
        const a = getAuth(u, { ...flat })
        out.auth[u] = a.token ? `Bearer ${a.token}` : a.auth ? `Basic ${a.auth}` : ''
      } catch (e) { out.auth[u] = 'ERROR' }
    }
    out.pkgauth = {}
    for (const [u, p] of input.pkgurls || []) {
      try {
        const a = getAuth(u, { ...flat, spec: p })
        out.pkgauth[u + ' ' + p] = a.token ? `Bearer ${a.token}` : a.auth ? `Basic ${a.auth}` : ''
      } catch (e) { out.pkgauth[u + ' ' + p] = 'ERROR' }
    }
    out.hasAuth = {}
    for (const r of input.registries || []) {
      try {
        const creds = conf.getCredentialsByURI(r)
        out.hasAuth[r] = !!(creds.token || creds.username || creds.certfile && creds.keyfile)
      } catch (e) { out.hasAuth[r] = false }
    }
  } catch (e) {
    out.error = (e.code || e.name || 'error'); out.message = e.message; out.stack = e.stack
  }
  process.stdout.write(JSON.stringify(out))
}
main()
