// Injected into every bundled service by tools/build.mjs: `import.meta.url`, which the
// bundled ES modules ask for (Nest loads its optional packages relative to it), is the
// bundle's own URL.
export const import_meta_url = require('node:url').pathToFileURL(__filename).href;
