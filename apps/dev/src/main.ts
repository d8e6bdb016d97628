/**
 * `npm start` (compiled, dist/apps/dev/src/main.js) and `npm run start:dev` (this file, through
 * @swc-node/register): runs a whole Meridian (every region of MERIDIAN_REGIONS) in the
 * foreground until Ctrl-C or SIGTERM, then stops everything it started. Data persists in
 * MERIDIAN_DATA_DIR between runs. See apps/dev/README.md.
 */
import { resolve } from 'node:path';
import { runLauncher } from './run-launcher';

// the folder holding apps/: the repository, or dist/ when compiled; services run from the
// repository root either way, whatever the launcher's working directory
runLauncher(resolve(__dirname, '..', '..', '..'));
