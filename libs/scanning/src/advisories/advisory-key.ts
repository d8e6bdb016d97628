/**
 * How advisories and packages meet: by ecosystem and name. PyPI names are compared in their
 * PEP 503 normal form (advisories and dist-info spell `PyYAML`, `pyyaml`, `py_yaml` alike);
 * Ubuntu's advisories mark long-term releases (`Ubuntu:22.04:LTS`) where os-release does not.
 */
import { normalizePythonName } from '../packages/purl';

export function advisoryKey(ecosystem: string, name: string): string {
  const canonical = ecosystem.startsWith('Ubuntu:') ? ecosystem.replace(/:LTS$/, '') : ecosystem;
  return `${canonical}\0${ecosystem === 'PyPI' ? normalizePythonName(name) : name}`;
}
