// Validates Kubernetes objects against the API's JSON schemas, offline: the schemas ship in
// the npm package kubernetes-models (generated from Kubernetes' OpenAPI document). An ES
// module run as its own process, because kubernetes-models ships ES modules only and jest's
// CommonJS runtime cannot load them.
//   node validate-kubernetes-objects.mjs < objects.json
// Reads a JSON array of objects; prints a JSON array of problems ({object, error}), empty
// when every object is valid, and exits 0 either way (the caller judges).
import { text } from 'node:stream/consumers';

/** `apps/v1` + `Deployment` → `kubernetes-models/apps/v1/Deployment`; `v1` is the core group. */
function modelPath({ apiVersion, kind }) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function problemsOf(object) {
  const name = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
  let Model;
  try {
    Model = (await import(modelPath(object)))[object.kind];
  } catch {
    return [{ object: name, error: `no schema for ${object.apiVersion} ${object.kind}` }];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [{ object: name, error: error instanceof Error ? error.message : String(error) }];
  }
}

const objects = JSON.parse(await text(process.stdin));
const problems = (await Promise.all(objects.map(problemsOf))).flat();
process.stdout.write(`${JSON.stringify(problems)}\n`);
