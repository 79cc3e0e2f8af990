// Nx loads plugins with require(); Node 20 cannot strip TypeScript, so this shim compiles
// the plugin (and the @cvc/core modules it shares with the runner) on the fly with tsx.
const { require: tsxRequire } = require('tsx/cjs/api');
module.exports = tsxRequire('./src/plugin.ts', __filename);
