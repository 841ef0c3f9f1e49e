// Builds dist/native/isal-gzip.node, the ISA-L gzip addon (native/isal-gzip/),
// when this machine can: a C compiler and ISA-L's headers and library
// (Debian/Ubuntu: apt-get install libisal-dev; macOS: brew install isa-l).
// Otherwise it prints one line and succeeds: snapshots then use Node's zlib.
// Run by `npm run build`. One `cc` call with the Node-API headers of the
// node-api-headers package: no header download, no node-gyp.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const source = join(root, 'native/isal-gzip/isal-gzip.c')
const target = join(root, 'dist/native/isal-gzip.node')
const require = createRequire(import.meta.url)
const howTo =
  "snapshots will use Node's zlib. For the faster ISA-L path: apt-get install libisal-dev (Debian/Ubuntu) or brew install isa-l (macOS), then npm run build"

function skip(reason) {
  rmSync(target, { force: true })
  console.log(`isal-gzip addon not built (${reason}): ${howTo}.`)
  process.exit(0)
}

let nodeApiInclude
try {
  nodeApiInclude = dirname(require.resolve('node-api-headers/include/node_api.h'))
} catch {
  skip('the node-api-headers package is not installed')
}

const compiler = process.env.CC || 'cc'
const flags = ['-O2', '-shared', '-fPIC', '-std=c11', `-I${nodeApiInclude}`]
// Bind libisal's symbols at load: a library missing at run time then fails the load,
// which falls back to zlib, instead of the first call, which would end the process.
if (process.platform === 'linux') flags.push('-Wl,-z,now')
if (process.platform === 'darwin') {
  // Node's symbols resolve when the addon is loaded; Homebrew's prefixes hold isa-l.
  flags.push('-undefined', 'dynamic_lookup')
  for (const prefix of ['/opt/homebrew', '/usr/local']) {
    if (existsSync(join(prefix, 'include/isa-l')))
      flags.push(`-I${prefix}/include`, `-L${prefix}/lib`)
  }
}
const partial = target.replace(/\.node$/, `.${process.pid}.tmp.node`)
mkdirSync(dirname(target), { recursive: true })
const built = spawnSync(compiler, [...flags, source, '-o', partial, '-lisal'], { encoding: 'utf8' })
if (built.error) {
  rmSync(partial, { force: true })
  skip(
    `no C compiler: ${compiler} ${built.error.code === 'ENOENT' ? 'not found' : built.error.message}`,
  )
}
if (built.status !== 0) {
  rmSync(partial, { force: true })
  const missing = /isa-l\/igzip_lib\.h|-lisal|libisal/.test(built.stderr)
  skip(
    missing
      ? 'ISA-L headers or library not found'
      : `${compiler} failed: ${firstLine(built.stderr)}`,
  )
}

// Prove it in a fresh process before it takes the place of the old one: it loads
// (libisal found at run time) and its output gunzips back to its input.
const check = `const g = require(${JSON.stringify(partial)}); const input = Buffer.from('isal-gzip '.repeat(1000));
if (!require('node:zlib').gunzipSync(g.gzip(input, 1)).equals(input)) throw new Error('round trip failed')`
try {
  execFileSync(process.execPath, ['-e', check], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  })
} catch (err) {
  rmSync(partial, { force: true })
  skip(`the built addon does not work: ${firstLine(err.stderr ?? err.message)}`)
}
renameSync(partial, target)
console.log('isal-gzip addon built: snapshots compress with ISA-L.')

function firstLine(text) {
  return (
    String(text)
      .split('\n')
      .find((line) => line.trim()) ?? ''
  ).trim()
}
