// The deployment files' checks: docker-compose.yml as `docker-compose config` resolves it,
// and every Kubernetes overlay as `kubectl kustomize` renders it, against the apps' own
// configuration parsers and the Kubernetes API schemas.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'deploy',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
};
